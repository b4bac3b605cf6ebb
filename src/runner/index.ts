export { createRunnerHost, type RunnerHost, type RunnerHostOptions, type RecoverableTask } from './host.js';
export { buildWorkerPrompt } from './prompt.js';
export { parsePlan, noteBullet, withNotes, NOTES_HEADING } from './plan.js';
export { taskPaths, worktreePath, branchName, logPath, type TaskPaths } from './paths.js';
export { killWorkerTree } from './kill.js';
export { findWorkerTree, isRunning } from './proc.js';
export { DEFAULT_RUNNER_ID, RunnerId, runnerDirName, runnerIdOf } from './runner-id.js';
