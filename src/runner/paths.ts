import { join } from 'node:path';
import { InvalidTaskIdError } from '../errors/index.js';
import { TaskId } from '../task/index.js';
import { runnerDirName } from './runner-id.js';

/** The files of the worker protocol (plan.md, output.md, context.md, ipc/) for one task, inside its working directory. */
export interface TaskPaths {
  /** The working directory: the repo itself or the task's worktree. */
  dir: string;
  /** `<dir>/.dispatch/tasks/<task-id>` */
  root: string;
  plan: string;
  output: string;
  context: string;
  ipc: string;
  /** `ipc/.done`: the worker says it has finished. */
  done: string;
  /** Who runs this task right now (pid, group, spec): read back after a restart. */
  worker: string;
  /** The worker's instructions, when they are too long for its command line. */
  prompt: string;
  /** `in/`: the files attached to the request. */
  filesIn: string;
  /** `out/`: files the worker leaves for the thread. */
  filesOut: string;
}

export function taskPaths(dir: string, taskId: string): TaskPaths {
  const root = join(dir, '.dispatch', 'tasks', taskId);
  const ipc = join(root, 'ipc');
  return {
    dir,
    root,
    plan: join(root, 'plan.md'),
    output: join(root, 'output.md'),
    context: join(root, 'context.md'),
    ipc,
    done: join(ipc, '.done'),
    worker: join(root, 'worker.json'),
    prompt: join(root, 'prompt.md'),
    filesIn: join(root, 'in'),
    filesOut: join(root, 'out'),
  };
}

export function worktreePath(repoPath: string, taskId: string, attempt = 1): string {
  return join(repoPath, '.dispatch', 'worktrees', attempt > 1 ? `${taskId}-r${attempt}` : taskId);
}

export function branchName(taskId: string): string {
  return `dispatch/${taskId}`;
}

/** Under DISPATCH_HOME: per-task logs and the registry of workers this host started. */
export function logPath(home: string, taskId: string): string {
  return join(home, 'logs', `${taskId}.log`);
}

/** Where one runner keeps the records of the workers it started: its own directory, read by no other runner. */
export function workersDir(home: string, runnerId: string): string {
  return join(home, 'workers', runnerDirName(runnerId));
}

export function workerRecordPath(home: string, runnerId: string, taskId: string): string {
  return join(workersDir(home, runnerId), `${taskId}.json`);
}

/** The flat layout of earlier versions (`workers/<task-id>.json`), which did not say whose worker it was. */
export function legacyWorkerRecordPath(home: string, taskId: string): string {
  return join(home, 'workers', `${taskId}.json`);
}

/** Task ids end up in paths and branch names: refuse anything but the tame shape. */
export function assertTaskId(id: string): void {
  if (!TaskId.safeParse(id).success || id.startsWith('-') || id.includes('..')) throw new InvalidTaskIdError(id);
}

/** Question/answer sequence numbers: three digits from 001. */
export const SEQ = /^\d{3}$/;
