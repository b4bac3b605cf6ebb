import { z } from 'zod';
import type { types as SlackTypes } from '@slack/bolt';
import { encodeAction } from '../../src/chat/action.js';
import type { InputRequest } from '../../src/chat/surface.js';
import { plain } from './text.js';

/**
 * A modal's submission carries no channel or thread, so both travel inside the handles we hand
 * out: the action's `trigger` (trigger_id + where the button was pressed) and the modal's
 * private_metadata (the action it answers + that same place).
 */
export const INPUT_CALLBACK = 'dispatch-input';
const ANSWER_BLOCK = 'answer';
const ANSWER_ACTION = 'value';

export interface TriggerHandle {
  triggerId: string;
  channel: string;
  thread?: string;
}

export function encodeTrigger(handle: TriggerHandle): string {
  return [handle.triggerId, handle.channel, handle.thread ?? ''].join('|');
}

/** Undefined when the handle is not one of ours (no place to send the answer to). */
export function decodeTrigger(trigger: string): TriggerHandle | undefined {
  const [triggerId, channel, thread] = trigger.split('|');
  if (!triggerId || !channel) return undefined;
  return { triggerId, channel, ...(thread ? { thread } : {}) };
}

export const InputMetadata = z.object({
  i: z.string().min(1).max(200),
  c: z.string().min(1).max(200),
  t: z.string().min(1).max(200).optional(),
});
export type InputMetadata = z.infer<typeof InputMetadata>;

export function inputModal(handle: TriggerHandle, request: InputRequest): SlackTypes.ModalView {
  const metadata: InputMetadata = { i: encodeAction(request.action), c: handle.channel, ...(handle.thread ? { t: handle.thread } : {}) };
  return {
    type: 'modal',
    callback_id: INPUT_CALLBACK,
    private_metadata: JSON.stringify(metadata),
    title: { type: 'plain_text', text: plain(request.title, 24) || 'Input' },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: ANSWER_BLOCK,
        label: { type: 'plain_text', text: plain(request.label, 2000) || 'Answer' },
        element: {
          type: 'plain_text_input',
          action_id: ANSWER_ACTION,
          multiline: request.multiline ?? false,
          ...(request.initial ? { initial_value: request.initial.slice(0, 3000) } : {}),
        },
      },
    ],
  };
}

const StateValues = z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() })));

/** The text the user typed into our modal's single input. */
export function submittedValue(values: unknown): string {
  const parsed = StateValues.safeParse(values);
  if (!parsed.success) return '';
  return parsed.data[ANSWER_BLOCK]?.[ANSWER_ACTION]?.value ?? '';
}
