import type { TestContext } from 'vitest';

/**
 * Figures the reliability suite reports at the end of `npm test` (printed by figures-reporter.ts):
 * each test adds counts to a group; counts add up across tests, `max…` keys keep the largest.
 */
export type FigureGroup = 'fuzz' | 'configs' | 'access' | 'hostile' | 'faults';

export interface Figure {
  group: FigureGroup;
  values: Record<string, number>;
}

declare module 'vitest' {
  interface TaskMeta {
    figures?: Figure[];
  }
}

/** Add `values` to `group` from inside a running test. */
export function recordFigure(context: Pick<TestContext, 'task'>, group: FigureGroup, values: Record<string, number>): void {
  const meta = context.task.meta;
  meta.figures = [...(meta.figures ?? []), { group, values }];
}

/** Merge figures of one group: counts add up, `max…` keys keep the largest. */
export function mergeFigures(figures: readonly Figure[]): Map<FigureGroup, Record<string, number>> {
  const merged = new Map<FigureGroup, Record<string, number>>();
  for (const { group, values } of figures) {
    const into = merged.get(group) ?? {};
    for (const [key, value] of Object.entries(values)) {
      into[key] = key.startsWith('max') ? Math.max(into[key] ?? 0, value) : (into[key] ?? 0) + value;
    }
    merged.set(group, into);
  }
  return merged;
}

const n = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');

/** One sentence per group, in a fixed order. */
export function describeFigures(figures: readonly Figure[]): string[] {
  const merged = mergeFigures(figures);
  const lines: string[] = [];
  const fuzz = merged.get('fuzz');
  if (fuzz) {
    lines.push(
      `fuzz: ${n(fuzz.parserTexts)} texts through the parser and ${n(fuzz.handleTexts)} through Dispatcher.handle, ${n(fuzz.crashes)} crashes, max ${n(fuzz.maxMsPerText)} ms per text`,
    );
  }
  const configs = merged.get('configs');
  if (configs) lines.push(`configs: ${n(configs.malformed)} malformed, ${n(configs.lostOrReplaced)} lost or replaced`);
  const access = merged.get('access');
  if (access) {
    const verdict = (access.byName ?? 0) === 0 ? 'all authorised by id' : `${n(access.byName)} authorised by a name`;
    lines.push(`access: ${n(access.maxPaths)} ingress paths × ${n(access.surfaces)} surfaces, ${verdict}`);
  }
  const hostile = merged.get('hostile');
  if (hostile) lines.push(`hostile corpus: ${n(hostile.lines)} lines, ${n(hostile.escapes)} shell escapes`);
  const faults = merged.get('faults');
  if (faults) lines.push(`faults: ${n(faults.kinds)} kinds, ${n(faults.tasks)} tasks, ${n(faults.lost)} lost, ${n(faults.duplicated)} duplicated`);
  return lines;
}

/**
 * One fault injected (a kill, an outage, a refused call…) and what became of the tasks it hit:
 * `expected` tasks should each have finished once; `finished` counts each task's final reports.
 */
export function recordFault(context: Pick<TestContext, 'task'>, finishedPerTask: readonly number[]): void {
  const lost = finishedPerTask.filter((count) => count === 0).length;
  const duplicated = finishedPerTask.filter((count) => count > 1).length;
  recordFigure(context, 'faults', { kinds: 1, tasks: finishedPerTask.length, lost, duplicated });
}
