// `pnpm check:packages`: packs every public package (as publishing would) and checks each
// tarball with publint (package.json fields, exports, files) and @arethetypeswrong/cli (the
// types resolve for TypeScript users), then checks the release plan `pnpm changeset version`
// would apply. Needs the packages built (`pnpm build`). Offline.
//
// attw runs with `--profile esm-only`: the packages are ESM-only on purpose (Node >= 22.12 can
// require() ESM), so attw's "CommonJS consumers get no types" findings (node10 and node16-cjs
// resolution) are not defects here; every ESM resolution mode is still checked.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  // The release plan `pnpm changeset version` would apply: the packages release together at one
  // version, and nothing jumps a major (0.x to 1.0.0) unless a changeset asks for it — Changesets 2
  // did that to every package whose `@entity/core` peer range a minor release left behind.
  const planFile = join(folder, 'release-plan.json');
  let plan;
  try {
    execFileSync('pnpm', ['exec', 'changeset', 'status', '--output', planFile], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    plan = JSON.parse(readFileSync(planFile, 'utf8'));
  } catch (error) {
    // `changeset status` also fails when a package changed since the base branch without a changeset.
    failed.push(`release plan (\`pnpm changeset status\` failed):\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
  }
  if (plan) {
    const askedMajor = new Set(plan.changesets.flatMap((changeset) => changeset.releases.filter((release) => release.type === 'major').map((release) => release.name)));
    const released = plan.releases.filter((release) => release.type !== 'none');
    const unasked = released.filter((release) => release.type === 'major' && !askedMajor.has(release.name));
    const versions = [...new Set(released.map((release) => release.newVersion))];
    if (unasked.length > 0) failed.push(`release plan: ${unasked.map((release) => `${release.name} ${release.oldVersion} → ${release.newVersion}`).join(', ')} would be a major release no changeset asks for`);
    else if (versions.length > 1) failed.push(`release plan: the packages would release at different versions (${versions.join(', ')})`);
    else console.log(`✔ release plan: ${released.length} packages → ${versions[0] ?? 'no release pending'}`);
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
if (failed.length > 0) {
  console.error(`\n${failed.length} check(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log('\nEvery public package passes publint and attw; the release plan is sound.');
