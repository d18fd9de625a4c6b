import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '@entity/core';

const GROUP_OR_OTHER_WRITABLE = 0o022;
const STICKY = 0o1000;

function describeMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/**
 * Refuses a key file that someone other than its owner could have written: whoever can write it
 * can add an admin key. The file must not be group/other-writable, its directory not either
 * (unless sticky, like /tmp, where others cannot replace our file), and the file must belong
 * to this process's user or root. A missing file passes (no key is accepted from it). No-op on
 * Windows, which has no POSIX modes.
 */
export function assertKeyFileTrusted(path: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  let file: ReturnType<typeof statSync>;
  try {
    file = statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const directory = statSync(dirname(path));
  const problem = (message: string, fix: string) => new ConfigError([{ path, message, fix }]);
  if (Number(file.mode) & GROUP_OR_OTHER_WRITABLE) {
    throw problem(`is writable by other users (mode ${describeMode(Number(file.mode))}), so anyone on this machine could add a key`, `run: chmod 600 ${path}`);
  }
  if (Number(directory.mode) & GROUP_OR_OTHER_WRITABLE && !(Number(directory.mode) & STICKY)) {
    throw problem(
      `is in a directory writable by other users (${dirname(path)}, mode ${describeMode(Number(directory.mode))}), so anyone on this machine could replace it`,
      `run: chmod 700 ${dirname(path)}`,
    );
  }
  if (Number(file.uid) !== uid && Number(file.uid) !== 0) {
    throw problem(`belongs to another user (uid ${file.uid}; this process runs as uid ${uid})`, `run: chown ${uid} ${path} && chmod 600 ${path}, or recreate the keys with \`entity keys create\` as this user`);
  }
}
