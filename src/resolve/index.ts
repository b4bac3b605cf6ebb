export { splitCommand, showCommand, quoteWord, DIR_TOKEN, PROMPT_TOKEN } from '../config/command.js';
export type { Backend, OutputSignal, WorkerCommand } from './backend.js';
export {
  BUILT_IN_BACKENDS,
  MODEL_TOKEN,
  backendFor,
  backendNamed,
  backendOfCommand,
  claudeBackend,
  codexBackend,
  cursorBackend,
  geminiBackend,
  genericBackend,
  translateFullAuto,
} from './backends.js';
export { CLI_KEYS, CLAUDE_SESSION_VARS, WORKER_ENV_KEEP, secretNames, withoutSecrets } from './secrets.js';
export { modelFamily, claudeModelFlag, type Family } from './family.js';
export {
  resolve,
  choicesOf,
  followAlias,
  findName,
  backendForModel,
  workerCommand,
  commandFor,
  type Clis,
  type Named,
  Trial,
  type ResolveContext,
  type Resolution,
  type DefaultSource,
} from './resolve.js';
export { decideDiscovery, nearNames, type Finding, type Sources } from './discover.js';
export { detectClis, agentModels, parseAgentModels } from './clis.js';
export { checkLogin, loginCacheFile, loginCommand, type Login } from './login.js';
export { logText } from './log-text.js';
