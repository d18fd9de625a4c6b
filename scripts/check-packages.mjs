// `pnpm check:packages`: packs every public package (as publishing would) and checks each
// tarball with publint (package.json fields, exports, files) and @arethetypeswrong/cli (the
// types resolve for TypeScript users). Needs the packages built (`pnpm build`). Offline.
//
// attw runs with `--profile esm-only`: the packages are ESM-only on purpose (Node >= 22.12 can
// require() ESM), so attw's "CommonJS consumers get no types" findings (node10 and node16-cjs
// resolution) are not defects here; every ESM resolution mode is still checked.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPublicPackages } from './public-packages.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const folder = mkdtempSync(join(tmpdir(), 'entity-check-packages-'));
const failed = [];
try {
  for (const entry of packPublicPackages(root, folder)) {
    const checks = [
      ['publint', ['exec', 'publint', 'run', entry.tarball, '--strict']],
      ['attw', ['exec', 'attw', entry.tarball, '--profile', 'esm-only', '--no-definitely-typed', '--format', 'ascii', '--no-emoji', '--no-color']],
    ];
    for (const [tool, args] of checks) {
      try {
        execFileSync('pnpm', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
        console.log(`✔ ${tool.padEnd(8)} ${entry.name}`);
      } catch (error) {
        failed.push(`${tool} ${entry.name}`);
        console.log(`✘ ${tool.padEnd(8)} ${entry.name}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      }
    }
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
if (failed.length > 0) {
  console.error(`\n${failed.length} check(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nEvery public package passes publint and attw.');
