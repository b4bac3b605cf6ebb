import { TaskId } from '../task/index.js';
import { bareWord, commandForm } from './text.js';
import type { ControlAction, Intent } from './types.js';

/** Status queries and task control (cancel, retry, logs, cleanup, and `cleanup` alone: a retention sweep), said in a few words. */
const MAX_COMMAND_TEXT = 200;
const ID = '#?([^\\s]{1,100})';

const STATUS_ANY = [
  /^(?:status|st|progress|tasks|workers|jobs)$/,
  /^(?:show|list|give)(?: me)?(?: (?:my|our|the|all))?(?: (?:tasks|workers|jobs|status|progress))$/,
  /^(?:how's|hows|how is) (?:it|everything|that|this|stuff|work) (?:going|doing|coming along)$/,
  /^how (?:are|r) (?:things|we|my tasks|the tasks|the workers)(?: (?:going|doing))?$/,
  /^(?:what's|whats|what is|what are) (?:running|happening|going on|in progress|the status|my tasks)$/,
  /^(?:[a]ny (?:news|updates?|progress)|where are we|are (?:we|they|you) done(?: yet)?|is (?:it|anything) done(?: yet)?)$/,
];
/** Every channel's tasks and the runner holding each (an operator's view). */
const STATUS_ALL = /^status(?: (?:--all|all|everywhere|across (?:all )?runners|(?:of|for) (?:all|every) (?:tasks?|runners?)))$/;
const STATUS_ONE = [
  new RegExp(`^status(?: (?:of|for|on))? ${ID}$`),
  new RegExp(`^(?:how's|hows|how is) ${ID} (?:going|doing|coming along)$`),
  new RegExp(`^${ID} status$`),
];
const CONTROL = /^(cancel|stop|kill|abort|retry|rerun|re-run|restart|logs?|show logs|show me the logs|tail|cleanup|clean up|remove worktree|remove the worktree|delete worktree|delete the worktree)(?: (?:for|of))?(?: (?:the )?task)?(?: (.*))?$/;
const ACTIONS: Record<string, ControlAction> = {
  cancel: 'cancel', stop: 'cancel', kill: 'cancel', abort: 'cancel', retry: 'retry', rerun: 'retry', 're-run': 'retry',
  restart: 'retry', log: 'logs', logs: 'logs', 'show logs': 'logs', 'show me the logs': 'logs', tail: 'logs',
  cleanup: 'cleanup', 'clean up': 'cleanup', 'remove worktree': 'cleanup', 'remove the worktree': 'cleanup',
  'delete worktree': 'cleanup', 'delete the worktree': 'cleanup',
};

export function parseStatus(text: string): Intent | undefined {
  if (text.length > MAX_COMMAND_TEXT) return undefined;
  const form = commandForm(text);
  if (STATUS_ANY.some((re) => re.test(form))) return { kind: 'status' };
  if (STATUS_ALL.test(form)) return { kind: 'status', all: true };
  for (const re of STATUS_ONE) {
    const id = taskIdIn(re.exec(form)?.[1]);
    if (id) return { kind: 'status', task: id };
  }
  return undefined;
}

/**
 * `cancel <id>` and friends. A control verb with one word after it is a command even when that
 * word is not a task id (the reply says so); with many words it is prose ("stop the server
 * from crashing on boot" is a task).
 */
export function parseControl(text: string): Intent | undefined {
  if (text.length > MAX_COMMAND_TEXT) return undefined;
  const m = CONTROL.exec(commandForm(text));
  if (!m) return undefined;
  const action = ACTIONS[m[1] as string] as ControlAction;
  const rest = (m[2] ?? '').trim();
  if (rest === '' && (m[1] === 'cleanup' || m[1] === 'clean up')) return { kind: 'sweep' };
  if (rest === '') return { kind: 'invalid', reason: `Which task? Say \`${action} <task-id>\` (\`status\` lists them).` };
  if (rest.split(' ').length > 1) return undefined;
  if (rest === 'all' || rest === 'everything') {
    return { kind: 'invalid', reason: `One task at a time, please: \`${action} <task-id>\` (\`status\` lists them).` };
  }
  const id = taskIdIn(rest);
  if (!id) return { kind: 'invalid', reason: `"${rest.slice(0, 60)}" is not a task id. Say \`${action} <task-id>\` (\`status\` lists them).` };
  return { kind: 'control', action, task: id };
}

function taskIdIn(word: string | undefined): string | undefined {
  if (word === undefined) return undefined;
  const id = bareWord(word).replace(/^#/, '');
  return TaskId.safeParse(id).success ? id : undefined;
}
