import { randomUUID } from 'node:crypto';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What `file` holds (a pid), `undefined` when it does not exist. Never seen half-written (see createWith). */
async function readHolder(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A complete temporary file with our pid, to be linked or renamed into place in one step. */
async function withOwnPidFile<T>(file: string, use: (temporary: string) => Promise<T>): Promise<T> {
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, String(process.pid));
  try {
    return await use(temporary);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Creates `file` holding our pid, atomically and only when it does not exist (link fails with EEXIST). */
function createWith(file: string): Promise<boolean> {
  return withOwnPidFile(file, async (temporary) => {
    try {
      await link(temporary, file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  });
}

export type LockOutcome = { acquired: true } | { acquired: false; holder: number };

/**
 * Replaces a lock left by the dead process `deadHolder`. Only the process that creates the
 * guard file `<lock>.takeover-<pid>` may replace that lock, and it does so only if the lock
 * still names the dead pid: two processes racing for the same stale lock get one winner.
 * Returns false when someone else took it over.
 */
async function takeOver(lockFile: string, deadHolder: string): Promise<boolean> {
  const guard = `${lockFile}.takeover-${/^\d+$/.test(deadHolder) ? deadHolder : 'unreadable'}`;
  if (!(await createWith(guard))) {
    const guardHolder = await readHolder(guard);
    if (guardHolder !== undefined && !isAlive(Number(guardHolder))) {
      throw new Error(
        `a takeover of the stale lock ${lockFile} was interrupted (process ${guardHolder} exited). No process uses the database: delete ${guard} and start again.`,
      );
    }
    return false;
  }
  try {
    if ((await readHolder(lockFile)) !== deadHolder) return false;
    // rename replaces the file in one step: readers see the dead pid or ours, never nothing.
    await withOwnPidFile(lockFile, (temporary) => rename(temporary, lockFile));
    return true;
  } finally {
    await rm(guard, { force: true });
  }
}

/**
 * Takes the lock file of a PGlite folder for this process: creates it when missing, takes it
 * over when its process is dead, and otherwise reports the live holder.
 */
export async function acquireLockFile(lockFile: string): Promise<LockOutcome> {
  for (let attempt = 0; ; attempt++) {
    if (await createWith(lockFile)) return { acquired: true };
    const holder = await readHolder(lockFile);
    if (holder === undefined) continue; // released in between: try again
    const pid = /^\d+$/.test(holder) ? Number(holder) : undefined;
    if (pid !== undefined && pid !== process.pid && isAlive(pid)) return { acquired: false, holder: pid };
    // Dead, unreadable, or our own pid left by an earlier process (this one never takes a folder twice).
    if (await takeOver(lockFile, holder)) return { acquired: true };
    // Another process is taking it over: give it a moment, then see who holds it.
    if (attempt > 200) throw new Error(`could not take the lock ${lockFile} after ${attempt} attempts`);
    await sleep(10);
  }
}
