/** Prints the last test run's totals as one plain "N passed, N failed, N skipped" line. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../services/runtime/topics.ts';

const file = join(projectRoot, '.stack', 'test-report.json');
try {
  const r = JSON.parse(readFileSync(file, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
} catch (e) {
  console.log(`0 passed, 1 failed`);
  console.error(`test-summary: no readable report at ${file}: ${(e as Error).message}`);
}
