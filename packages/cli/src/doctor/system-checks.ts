import { constants, existsSync, statSync } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { CheckResult, DoctorSettings } from './check.js';

const MINIMUM_NODE: [number, number] = [22, 12];

export function checkNode(version = process.versions.node): CheckResult {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const ok = major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1]);
  return ok
    ? { id: 'node', title: 'Node.js', status: 'ok', message: `v${version}` }
    : {
        id: 'node',
        title: 'Node.js',
        status: 'fail',
        message: `v${version} is too old; Entity needs ${MINIMUM_NODE.join('.')} or newer`,
        fix: 'install Node 24 LTS (https://nodejs.org, or `nvm install 24`)',
      };
}

/** Whether a directory can be written (or created): writes and removes a scratch folder in it. */
export async function checkWritable(id: string, title: string, directory: string, settings: DoctorSettings, purpose: string): Promise<CheckResult> {
  const shown = relative(settings.cwd, directory) || '.';
  if (existsSync(directory)) {
    if (!statSync(directory).isDirectory()) {
      return { id, title, status: 'fail', message: `${shown} exists but is not a directory`, fix: `remove or rename ${shown}, or point ${purpose} elsewhere` };
    }
    try {
      await rm(await mkdtemp(join(directory, '.entity-doctor-')), { recursive: true, force: true });
      return { id, title, status: 'ok', message: `${shown} is writable` };
    } catch (error) {
      return { id, title, status: 'fail', message: `${shown} is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'})`, fix: `fix the permissions of ${shown} (chmod u+w), or point ${purpose} elsewhere` };
    }
  }
  let parent = dirname(directory);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  if (!statSync(parent).isDirectory()) {
    return { id, title, status: 'fail', message: `${shown} cannot be created: ${relative(settings.cwd, parent)} is a file`, fix: `point ${purpose} at a directory` };
  }
  try {
    await access(parent, constants.W_OK);
    return { id, title, status: 'ok', message: `${shown} will be created on first use` };
  } catch {
    return { id, title, status: 'fail', message: `${shown} does not exist and ${parent} is not writable`, fix: `create ${shown} with write access, or point ${purpose} elsewhere` };
  }
}

export function checkApiKeys(settings: DoctorSettings): CheckResult {
  const present = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY'].filter((name) => (settings.env[name] ?? '') !== '');
  return present.length > 0
    ? { id: 'api-keys', title: 'API keys', status: 'ok', message: `${present.join(', ')} set`, details: { present } }
    : { id: 'api-keys', title: 'API keys', status: 'skip', message: 'OPENAI_API_KEY and ANTHROPIC_API_KEY not set (only needed for hosted models)', details: { present } };
}
