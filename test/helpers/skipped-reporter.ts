import type { Reporter, TestCase, TestModule, TestSuite, Vitest } from 'vitest/node';

/**
 * Lists every skipped suite and test by name after the summary. vitest's default reporter
 * only counts skips; a suite that needs a server carries the reason in its name
 * (servers.ts), so this list says what is not run on this machine and what would run it.
 * Nothing is listed when a name filter (-t) chose the tests: the rest are skipped on purpose.
 */
export class SkippedWithReasonReporter implements Reporter {
  private filtered = false;

  onInit(vitest: Vitest): void {
    this.filtered = Boolean(vitest.config.testNamePattern);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (this.filtered) return;
    const lines: string[] = [];
    for (const module of testModules) {
      for (const name of skippedIn(module)) lines.push(`  ↓ ${module.relativeModuleId} > ${name}`);
    }
    if (lines.length === 0) return;
    process.stdout.write(`\n Skipped (${lines.length}):\n${lines.join('\n')}\n\n`);
  }
}

/**
 * Full names of the skipped suites (not their tests, once is enough) and of tests skipped on
 * purpose elsewhere. Tests vitest skips because their suite's hook failed are not listed:
 * the failure is reported already.
 */
export function skippedIn(parent: TestModule | TestSuite): string[] {
  const out: string[] = [];
  for (const child of parent.children) {
    if (child.type === 'suite') {
      if (child.options.mode === 'skip' || child.options.mode === 'todo') out.push(child.fullName);
      else out.push(...skippedIn(child));
    } else if (isSkipped(child) && (child.options.mode !== 'run' || !suiteFailed(child.parent))) {
      const note = child.result().state === 'skipped' ? (child.result() as { note?: string }).note : undefined;
      out.push(note ? `${child.fullName} (${note})` : child.fullName);
    }
  }
  return out;
}

function suiteFailed(parent: TestModule | TestSuite): boolean {
  return parent.state() === 'failed' || (parent.type === 'suite' && suiteFailed(parent.parent));
}

function isSkipped(test: TestCase): boolean {
  return test.options.mode === 'skip' || test.options.mode === 'todo' || test.result().state === 'skipped';
}
