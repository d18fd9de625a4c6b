import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { CliContext } from './cli-context.js';
import { UsageError } from './exit-codes.js';
import type { GeneratedFile } from './init/plugin-templates.js';

/** Writes generated files under `root`, refusing to overwrite unless `force`; checks everything before writing anything. */
export async function writeGeneratedFiles(root: string, files: readonly GeneratedFile[], cli: CliContext, force = false): Promise<string[]> {
  const targets = files.map((file) => ({ ...file, absolute: resolve(root, file.path) }));
  const existing = targets.filter((file) => existsSync(file.absolute));
  if (existing.length > 0 && !force) {
    throw new UsageError(
      `${existing.map((file) => relative(cli.cwd, file.absolute)).join(', ')} already exist${existing.length === 1 ? 's' : ''}`,
      'choose another name, or pass --force to overwrite',
    );
  }
  for (const file of targets) {
    await mkdir(dirname(file.absolute), { recursive: true });
    await writeFile(file.absolute, file.content, { mode: file.path.endsWith('.sh') ? 0o755 : 0o644 });
  }
  return targets.map((file) => file.absolute);
}
