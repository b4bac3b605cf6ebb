import type { InboundMessage } from '../chat/inbound.js';
import type { Config } from '../config/schema.js';
import { parseIntent, requestOf, type Intent } from '../intent/index.js';
import { Conversation } from './conversation.js';
import { applyAccessRequest } from './access-requests.js';
import { askConfigOrTask } from './clarify.js';
import { applyConfigRequests } from './config-requests.js';
import { findTask, planControl } from './control.js';
import type { DispatcherDeps } from './deps.js';
import { answerHelp } from './help.js';
import { proceed } from './pipeline.js';
import { forgeWhichTask, planForgeAction } from './forge-actions.js';
import { SEE_ALL, answerStatus, answerStatusAll, answerTaskStatus } from './status.js';
import { step, type Step } from './step.js';
import { retentionOffText, sweepFinished, sweepText } from './retention.js';
import { warmUp } from './warm-up.js';

export function knownNames(config: Config): { models: string[]; aliases: string[]; repos: string[] } {
  return { models: Object.keys(config.models), aliases: Object.keys(config.aliases), repos: Object.keys(config.repos) };
}

export function intentOf(deps: DispatcherDeps, text: string): Intent {
  return parseIntent(text, knownNames(deps.config.current()));
}

/** A message that is not a reply in a task's thread: what it asks for, in routing order, with the rights each takes. */
export async function planRequest(deps: DispatcherDeps, inbound: InboundMessage): Promise<Step> {
  const intent = intentOf(deps, inbound.text);
  const talk = () => Conversation.of(deps, inbound);
  const dispatch = { kind: 'dispatch', where: inbound.where } as const;
  switch (intent.kind) {
    case 'warm-up':
      return step([{ kind: 'see' }], () => warmUp(deps, talk()));
    case 'help':
      return step([{ kind: 'see' }], () => answerHelp(deps, inbound, intent.topic));
    case 'status': {
      // Every channel's tasks, private ones included: an operator's view.
      if (intent.all) return step([SEE_ALL], () => answerStatusAll(deps, talk()));
      if (!intent.task) return step([{ kind: 'see' }], () => answerStatus(deps, talk(), inbound.where));
      const task = await findTask(deps, intent.task);
      return step([{ kind: 'read', task, where: inbound.where }], () => answerTaskStatus(deps, talk(), task));
    }
    case 'control':
      return planControl(deps, inbound, intent.action, intent.task);
    case 'sweep':
      // Removes every channel's old tasks: an operator's act.
      return step([{ kind: 'admin', what: 'remove old finished tasks' }], async () => {
        const sweep = await sweepFinished(deps);
        await talk().answer({ text: sweep ? sweepText(sweep) : retentionOffText() });
      });
    case 'config': {
      // One's own default is one's own business (where one may dispatch); the shared config is the admins'.
      const shared = intent.requests.some((r) => r.op !== 'set-my-default');
      return step([shared ? { kind: 'admin' } : dispatch], () => applyConfigRequests(deps, inbound, intent.requests));
    }
    case 'access':
      return step([intent.request.op === 'list' ? { kind: 'see' } : { kind: 'admin' }], () => applyAccessRequest(deps, inbound, intent.request));
    case 'forge':
      if (intent.task) return planForgeAction(deps, inbound, intent.action, intent.task);
      return step([{ kind: 'see' }], async () => {
        await talk().answer({ text: forgeWhichTask(intent.action) });
      });
    case 'invalid':
      return step([{ kind: 'see' }], async () => {
        await talk().answer({ text: intent.reason });
      });
    case 'unclear':
      // Asking takes the right every answer but "only my own default" takes; the answer is checked again.
      return step([dispatch], () => askConfigOrTask(deps, inbound, intent.requests, intent.rest, intent.whole));
    case 'tasks':
      return step([dispatch], () => proceed(deps, inbound, { ...requestOf(intent), ...(inbound.attachments?.length ? { attachments: inbound.attachments } : {}) }));
  }
}
