// Prints one closing line for the whole workspace from each package's Vitest JSON report:
//   tests: N passed, N failed, N skipped
// Reports older than this run (ENTITY_TEST_STARTED, epoch ms) are ignored so a stale file never counts.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const startedAt = Number(process.env.ENTITY_TEST_STARTED ?? 0);
const totals = { passed: 0, failed: 0, skipped: 0 };
const packagesWithoutReport = [];
for (const group of ['packages', 'plugins', 'apps', 'tooling']) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const name of readdirSync(groupDir)) {
    const manifest = join(groupDir, name, 'package.json');
    if (!existsSync(manifest) || !JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) continue;
    const report = join(groupDir, name, 'test-results', 'vitest.json');
    if (!existsSync(report) || statSync(report).mtimeMs < startedAt) {
      packagesWithoutReport.push(`${group}/${name}`);
      continue;
    }
    const { numPassedTests = 0, numFailedTests = 0, numPendingTests = 0, numTodoTests = 0 } = JSON.parse(readFileSync(report, 'utf8'));
    totals.passed += numPassedTests;
    totals.failed += numFailedTests;
    totals.skipped += numPendingTests + numTodoTests;
  }
}
if (packagesWithoutReport.length > 0) {
  console.log(`test-summary: no test report from ${packagesWithoutReport.join(', ')} (their tests did not run or did not finish)`);
}
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed > 0 || packagesWithoutReport.length > 0 ? 1 : 0;
