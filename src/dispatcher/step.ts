import type { Right } from './access.js';

/**
 * What the dispatcher will do with one inbound request, and the rights it takes. The Dispatcher
 * checks the rights of every step in one place (access.ts) before it runs, whatever surface and
 * ingress path (message, mention, slash command, button, menu, modal, thread reply, DM) it came
 * from; handlers never check access themselves.
 */
export interface Step {
  rights: Right[];
  run(): Promise<void>;
}

export function step(rights: Right[], run: () => Promise<void>): Step {
  return { rights, run };
}

/** A step that does nothing (chatter not meant for the bot). */
export const nothing: Step = step([], async () => undefined);
