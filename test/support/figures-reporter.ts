import type { Reporter, TestCase } from 'vitest/node';
import { describeFigures, type Figure } from './figures.js';

/** Prints the reliability suite's figures after the run's own summary (see figures.ts). */
export default class FiguresReporter implements Reporter {
  private readonly figures: Figure[] = [];

  onTestCaseResult(testCase: TestCase): void {
    if (testCase.result().state === 'passed') this.figures.push(...(testCase.meta().figures ?? []));
  }

  onTestRunEnd(): void {
    const lines = describeFigures(this.figures);
    if (lines.length === 0) return;
    process.stdout.write(`\nReliability figures:\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
  }
}
