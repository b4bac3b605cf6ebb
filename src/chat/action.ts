import { z } from 'zod';

/**
 * What a button press or a menu pick means, typed: every surface carries it the same way and
 * the dispatcher reads it without knowing how it travelled. Encoded as `type|field|field…` so it
 * fits the platforms' small slots (a Slack option value holds 150 characters, a Discord
 * custom_id 100); no field may contain the separator, and every one is checked on the way in.
 */
const Field = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[^|\s]+$/, 'no separator or space');

/** The answers to "that reads as a config change and as a task: what should I do?". */
export const ClarifyChoice = z.enum(['both', 'config', 'task']);
export type ClarifyChoice = z.infer<typeof ClarifyChoice>;

/** What to do with tasks still running when the shell is asked to quit. */
export const QuitChoice = z.enum(['leave', 'cancel', 'stay']);

const ACTIONS = [
  /** Dispatch with the model a prompt proposed. */
  z.object({ type: z.literal('confirm'), prompt: Field }),
  /** Answer a prompt with a model (another model, "did you mean", "which gemini?"). */
  z.object({ type: z.literal('pick-model'), prompt: Field, model: Field }),
  /** The first run's pick of the config's default. */
  z.object({ type: z.literal('first-run'), prompt: Field, model: Field }),
  z.object({ type: z.literal('cancel-prompt'), prompt: Field }),
  z.object({ type: z.literal('clarify'), prompt: Field, choice: ClarifyChoice }),
  z.object({ type: z.literal('cancel-task'), task: Field }),
  z.object({ type: z.literal('logs'), task: Field }),
  z.object({ type: z.literal('retry'), task: Field }),
  /** Run a task stopped over its budget again with as much budget once more (its requester only). */
  z.object({ type: z.literal('continue-task'), task: Field }),
  /** Push a finished task's branch and open its pull request. */
  z.object({ type: z.literal('open-pr'), task: Field }),
  /** Push a finished task's branch, no pull request. */
  z.object({ type: z.literal('push-branch'), task: Field }),
  /** A new worker on the task's branch for its pull request's unresolved review comments. */
  z.object({ type: z.literal('fix-review'), task: Field }),
  /** Retry a task whose CLI could not start with another model. */
  z.object({ type: z.literal('recover'), task: Field, model: Field }),
  z.object({ type: z.literal('set-default'), model: Field }),
  /** Opens an input: the answer to a worker's question. */
  z.object({ type: z.literal('answer'), task: Field, seq: Field }),
  /** Opens an input: an alias's role prompt. */
  z.object({ type: z.literal('alias-prompt'), alias: Field }),
  /** The shell's own question when it is asked to quit with tasks running. */
  z.object({ type: z.literal('quit'), choice: QuitChoice }),
] as const;

export const Action = z.discriminatedUnion('type', ACTIONS);
export type Action = z.infer<typeof Action>;
export type ActionOf<T extends Action['type']> = Extract<Action, { type: T }>;

const SEPARATOR = '|';

/** The fields of each action type, in the order they are encoded. */
const FIELDS = new Map<string, string[]>(ACTIONS.map((schema) => [schema.shape.type.value, Object.keys(schema.shape).filter((k) => k !== 'type')]));

/** `confirm|p-42`, `recover|audit|sonnet`: an action as one short string. */
export function encodeAction(action: Action): string {
  const fields = FIELDS.get(action.type) ?? [];
  const values = fields.map((field) => String((action as Record<string, unknown>)[field]));
  return [action.type, ...values].join(SEPARATOR);
}

/** The action a platform sent back, or undefined when the text is not one of ours (forged, stale, mangled). */
export function decodeAction(text: string): Action | undefined {
  const [type = '', ...values] = text.split(SEPARATOR);
  const fields = FIELDS.get(type);
  if (!fields || values.length !== fields.length) return undefined;
  const parsed = Action.safeParse(Object.fromEntries([['type', type], ...fields.map((field, i) => [field, values[i]])]));
  return parsed.success ? parsed.data : undefined;
}
