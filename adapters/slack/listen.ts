import type { App } from '@slack/bolt';
import type { Inbound } from '../../src/chat/inbound.js';
import { messageOf } from '../../src/errors/index.js';
import { fromBlockActions, fromCommand, fromEvent, fromViewSubmission, type Translated } from './ingress.js';
import { INPUT_CALLBACK } from './modal.js';
import type { UserGroups } from './groups.js';
import type { CommandResponses } from './responses.js';

export interface DeliveryDeps {
  onInbound: (inbound: Inbound) => Promise<void>;
  /** Where a slash command's respond() is kept, for channels the bot cannot post in. */
  responses: CommandResponses;
  /** Keep the request durably; false when one of its keys was delivered already. */
  accept: (keys: readonly string[], inbound: Inbound) => Promise<boolean>;
  log: (line: string) => void;
  /** Told when a user group's members change, so access sees the change at once. */
  groups: UserGroups;
}

/**
 * Wires Bolt's listeners. Each keeps the request durably first (one store write), then lets
 * Slack know it arrived (within Slack's 3 s), then hands it on without awaiting it, so a slow
 * dispatcher never delays an acknowledgement and a bot killed after one loses nothing.
 */
export function listen(app: App, deps: DeliveryDeps): void {
  app.command(/.*/, async ({ ack, body, respond }) => {
    const taken = await take(fromCommand(body), deps);
    await ack();
    deps.responses.remember(body.channel_id, respond);
    taken?.();
  });
  // Events are acknowledged when the listener returns (HTTP, processBeforeResponse).
  app.event('app_mention', async ({ body, context }) => (await take(fromEvent(body, context.botUserId), deps))?.());
  app.event('message', async ({ body, context }) => (await take(fromEvent(body, context.botUserId), deps))?.());
  app.event('subteam_members_changed', async ({ event }) => deps.groups.changed(event.subteam_id));
  app.action({ type: 'block_actions' }, async ({ ack, body }) => {
    const taken = await take(fromBlockActions(body), deps);
    await ack();
    taken?.();
  });
  app.view({ callback_id: INPUT_CALLBACK, type: 'view_submission' }, async ({ ack, body }) => {
    const taken = await take(fromViewSubmission(body), deps);
    await ack();
    taken?.();
  });
  app.error(async (error) => deps.log(`slack: listener error: ${error.message}`));
}

/**
 * Keep a request that is for us and new; returns what starts handling it (not awaited), or
 * undefined for a repeat delivery or a payload that is not a request.
 */
async function take(translated: Translated | undefined, deps: DeliveryDeps): Promise<(() => void) | undefined> {
  if (!translated) return undefined;
  const { inbound, keys } = translated;
  if (!(await deps.accept(keys, inbound))) return undefined;
  return () => {
    deps.onInbound(inbound).catch((error: unknown) => deps.log(`slack: handling ${inbound.kind} from ${inbound.who.id} failed: ${messageOf(error)}`));
  };
}
