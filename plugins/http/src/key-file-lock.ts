import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { ConfigError } from '@entity/core';

/** How long a writer waits for another one before giving up. Writes take milliseconds; this is generous. */
const LOCK_WAIT_MS = 10_000;
/** A lock older than this whose holder cannot be confirmed alive is taken over (a crashed writer on another machine of a shared disk). */
const STALE_LOCK_MS = 30_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the lock at `lockPath` was left by a writer that is gone. */
function isStale(lockPath: string): boolean {
  try {
    const [pid] = readFileSync(lockPath, 'utf8').split('\n');
    const holder = Number(pid);
    if (Number.isInteger(holder) && holder > 0 && !isProcessAlive(holder)) return true;
    return Date.now() - statSync(lockPath).mtimeMs > STALE_LOCK_MS;
  } catch {
    return false; // gone already, or being written: try again
  }
}

/**
 * Runs `change` while holding `<path>.lock`, created with O_EXCL so only one process at a time
 * reads, changes and writes the key file; without it two `entity keys` commands can each write
 * their own version and silently drop the other's key — or bring back a revoked one. A lock left
 * by a dead process (its pid is in the file) is taken over.
 */
export function withFileLock<T>(path: string, change: () => T): T {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let descriptor: number | undefined;
  while (descriptor === undefined) {
    try {
      descriptor = openSync(lockPath, 'wx', 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw error; // the directory is missing: the caller creates it first
      if (code !== 'EEXIST') throw error;
      if (isStale(lockPath)) {
        rmSync(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new ConfigError([
          {
            path: lockPath,
            message: `is held by another process (pid ${readFileSync(lockPath, 'utf8').split('\n')[0]}) for over ${LOCK_WAIT_MS / 1000} s`,
            fix: 'wait for the other `entity keys` command to finish; delete the lock file only if no such command runs',
          },
        ]);
      }
      sleepSync(5 + Math.floor(Math.random() * 10));
    }
  }
  try {
    writeSync(descriptor, `${process.pid}\n`);
    return change();
  } finally {
    closeSync(descriptor);
    rmSync(lockPath, { force: true });
  }
}
