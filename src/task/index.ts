export { TaskId, TaskSpec, SavedTaskSpec } from './spec.js';
export { PlanItem, PlanMark, PLAN_ITEMS_KEPT, PLAN_ITEM_CHARS, planProgress, samePlan } from './plan.js';
export { TaskState, FinalState, FINAL_STATES, isFinal, isActive } from './state.js';
export { StartFailure, TaskReport, WorktreeReport } from './outcome.js';
export { TaskEvent, type TaskEventOf, type TaskEventListener } from './events.js';
export { TaskProgress, queuedProgress } from './progress.js';
export { transition, type TaskChange } from './transition.js';
export { BranchTarget, BranchPush } from './branch.js';
export { Usage, addUsage, totalTokens, sameUsage } from './usage.js';
