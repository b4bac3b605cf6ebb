import type { App } from '@slack/bolt';
import type { Inbound } from '../../src/chat/inbound.js';
import { fromBlockActions, fromCommand, fromEvent, fromViewSubmission, type Translated } from './ingress.js';
import { INPUT_CALLBACK } from './modal.js';
import type { UserGroups } from './groups.js';
import type { CommandResponses } from './responses.js';

export interface DeliveryDeps {
  onInbound: (inbound: Inbound) => Promise<void>;
  /** Where a slash command's respond() is kept, for channels the bot cannot post in. */
  responses: CommandResponses;
  firstDelivery: (key: string, ttlMs: number) => Promise<boolean>;
  log: (line: string) => void;
  /** Told when a user group's members change, so access sees the change at once. */
  groups: UserGroups;
}

/** Longer than Slack's whole retry schedule (immediately, +1 min, +5 min). */
const DEDUPE_TTL_MS = 60 * 60 * 1000;

/**
 * Wires Bolt's listeners: every one acks first (Slack wants an answer within 3 s) and only then
 * hands the request on, without awaiting it, so a slow dispatcher never delays an ack.
 */
export function listen(app: App, deps: DeliveryDeps): void {
  const later = (translated: Translated | undefined): void => {
    if (translated) void deliver(translated, deps);
  };
  app.command(/.*/, async ({ ack, body, respond }) => {
    await ack();
    deps.responses.remember(body.channel_id, respond);
    later(fromCommand(body));
  });
  // Events are acked by Bolt itself before listeners run.
  app.event('app_mention', async ({ body, context }) => later(fromEvent(body, context.botUserId)));
  app.event('message', async ({ body, context }) => later(fromEvent(body, context.botUserId)));
  app.event('subteam_members_changed', async ({ event }) => deps.groups.changed(event.subteam_id));
  app.action({ type: 'block_actions' }, async ({ ack, body }) => {
    await ack();
    later(fromBlockActions(body));
  });
  app.view({ callback_id: INPUT_CALLBACK, type: 'view_submission' }, async ({ ack, body }) => {
    await ack();
    later(fromViewSubmission(body));
  });
  app.error(async (error) => deps.log(`slack: listener error: ${error.message}`));
}

async function deliver({ inbound, keys }: Translated, deps: DeliveryDeps): Promise<void> {
  try {
    for (const key of keys) {
      if (!(await firstSighting(key, deps))) return;
    }
    await deps.onInbound(inbound);
  } catch (error) {
    deps.log(`slack: handling ${inbound.kind} from ${inbound.who.id} failed: ${describe(error)}`);
  }
}

/** A store that cannot answer must not lose a request: deliver, and say why. */
async function firstSighting(key: string, deps: DeliveryDeps): Promise<boolean> {
  try {
    return await deps.firstDelivery(key, DEDUPE_TTL_MS);
  } catch (error) {
    deps.log(`slack: dedupe store failed for ${key}, delivering anyway: ${describe(error)}`);
    return true;
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
