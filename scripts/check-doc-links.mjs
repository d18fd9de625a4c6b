// Checks that the project's Markdown stands alone: every relative link in a tracked .md file
// points to a file or folder inside this repository that exists. A link that leaves the
// repository (`../shared/DESIGN.md`) or points nowhere fails, naming the file and line.
// Usage: node scripts/check-doc-links.mjs   (part of `pnpm lint`)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: root, encoding: 'utf8' })
  .split('\0')
  .filter((file) => file !== '' && existsSync(join(root, file)));

/** `[text](target)` and `[text](target "title")`, outside fenced code blocks and inline code. */
const LINK = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const problems = [];
for (const file of files) {
  let fenced = false;
  readFileSync(join(root, file), 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      if (fenced) return;
      for (const match of line.replace(/`[^`]*`/g, '').matchAll(LINK)) {
        const target = match[1];
        if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
        const path = decodeURIComponent(target.split('#')[0]);
        if (path === '') continue;
        const absolute = path.startsWith('/') ? join(root, path) : resolve(root, dirname(file), path);
        const where = `${file}:${index + 1}: ${target}`;
        if (absolute !== root && !absolute.startsWith(root + sep)) {
          problems.push(`${where} points outside the repository; move what it needs into docs/ and link that`);
        } else if (!existsSync(absolute)) {
          problems.push(`${where} points to ${relative(root, absolute)}, which does not exist`);
        }
      }
    });
}
if (problems.length > 0) {
  process.stderr.write(`Broken documentation links (${problems.length}):\n${problems.map((problem) => `  ${problem}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`Documentation links: ${files.length} Markdown files, every relative link stays inside the repository and resolves.\n`);
