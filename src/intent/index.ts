export { ConfigRequest, TaskDraft, TaskRequest, ForgeAsk, IssueRef } from './types.js';
export type { Intent, ControlAction, HelpTopic, KnownNames, AccessRequest, AccessTarget, AccessList, ForgeAction } from './types.js';
export { parseIntent, requestOf, MAX_REQUEST_CHARS, MAX_TASKS, type ParseOptions } from './parse.js';
export { forgeAsk } from './forge.js';
export { aliasPrompt, SECURITY_PROMPT, PERF_PROMPT } from './alias-prompt.js';
export { isModelLike } from './models.js';
export { cleanText } from './text.js';
