import { relative } from "node:path";
import type { Reporter, TestCase, Vitest } from "vitest/node";

/**
 * Lists, after the run, every test skipped with a reason (a system tool that is not installed),
 * one line each: the default reporter only counts them.
 */
export default class SkipNotesReporter implements Reporter {
  private vitest: Vitest | null = null;
  private readonly notes: string[] = [];

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestCaseResult(testCase: TestCase): void {
    const result = testCase.result();
    if (result.state !== "skipped" || !result.note) return;
    const file = relative(this.vitest?.config.root ?? process.cwd(), testCase.module.moduleId);
    this.notes.push(`skipped: ${file} > ${testCase.fullName}: ${result.note}`);
  }

  onTestRunEnd(): void {
    for (const note of this.notes) this.vitest?.logger.log(note);
    this.notes.length = 0;
  }
}
