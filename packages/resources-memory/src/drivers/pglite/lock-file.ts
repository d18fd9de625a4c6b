import { randomUUID } from 'node:crypto';
import { link, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import { processStart, sameProcessStart } from './process-start.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * What a lock file names: `pid:start:thread:uuid`. The start of the process tells a lock of
 * this very process (another thread, or another copy of the package in this thread, each with
 * its own module state) from one left by an earlier process that had the same pid.
 * A bare pid is the format of earlier releases.
 */
interface Holder {
  pid: number;
  start: string | undefined;
  thread: number | undefined;
}

function parseHolder(text: string): Holder | undefined {
  const match = /^(\d+)(?::([^:]+):(\d+):[\w-]+)?$/.exec(text);
  if (!match) return undefined;
  return { pid: Number(match[1]), start: match[2], thread: match[3] === undefined ? undefined : Number(match[3]) };
}

/** A new token naming this process, thread and acquisition. */
function newToken(): string {
  return `${process.pid}:${processStart()}:${threadId}:${randomUUID()}`;
}

/** What `file` holds, `undefined` when it does not exist. Never seen half-written (see createWith). */
async function readHolder(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A complete temporary file holding `token`, to be linked or renamed into place in one step. */
async function withTokenFile<T>(file: string, token: string, use: (temporary: string) => Promise<T>): Promise<T> {
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, token);
  try {
    return await use(temporary);
  } finally {
    await rm(temporary, { force: true });
  }
}

/** Creates `file` holding `token`, atomically and only when it does not exist (link fails with EEXIST). */
function createWith(file: string, token: string): Promise<boolean> {
  return withTokenFile(file, token, async (temporary) => {
    try {
      await link(temporary, file);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  });
}

export type LockOutcome =
  | { acquired: true; token: string }
  | { acquired: false; holder: number; sameProcess: false }
  | { acquired: false; holder: number; sameProcess: true; thread: number | undefined };

/**
 * Replaces a lock left by the dead process `deadHolder`. Only the process that creates the
 * guard file `<lock>.takeover-<pid>` may replace that lock, and it does so only if the lock
 * still names the dead holder: two processes racing for the same stale lock get one winner.
 * Returns false when someone else took it over.
 */
async function takeOver(lockFile: string, deadHolder: string, token: string): Promise<boolean> {
  const deadPid = parseHolder(deadHolder)?.pid;
  const guard = `${lockFile}.takeover-${deadPid ?? 'unreadable'}`;
  if (!(await createWith(guard, token))) {
    const guardHolder = parseHolder((await readHolder(guard)) ?? '');
    if (guardHolder !== undefined && !isAlive(guardHolder.pid)) {
      throw new Error(
        `a takeover of the stale lock ${lockFile} was interrupted (process ${guardHolder.pid} exited). No process uses the database: delete ${guard} and start again.`,
      );
    }
    return false;
  }
  try {
    if ((await readHolder(lockFile)) !== deadHolder) return false;
    // rename replaces the file in one step: readers see the dead holder or us, never nothing.
    await withTokenFile(lockFile, token, (temporary) => rename(temporary, lockFile));
    return true;
  } finally {
    await rm(guard, { force: true });
  }
}

/**
 * Whether the lock `holder` belongs to a live user: another live process, or this process
 * itself (another thread, or another copy of the package, opened the folder: each has its own
 * registry of open databases, so taking the lock over would open the files twice).
 */
function liveHolder(holder: Holder | undefined): LockOutcome | undefined {
  if (holder === undefined) return undefined;
  if (holder.pid !== process.pid) return isAlive(holder.pid) ? { acquired: false, holder: holder.pid, sameProcess: false } : undefined;
  // Our pid but another process start: an earlier process whose pid we reuse (pid 1 in a
  // container). The bare pid of earlier releases cannot tell, so it counts as stale as before.
  if (holder.start === undefined || !sameProcessStart(holder.start)) return undefined;
  return { acquired: false, holder: holder.pid, sameProcess: true, thread: holder.thread };
}

/**
 * Takes the lock file of a PGlite folder for this thread: creates it when missing, takes it
 * over when its process is dead, and otherwise reports the live holder (maybe this process).
 * The token it returns is what `releaseLockFile` needs.
 */
export async function acquireLockFile(lockFile: string): Promise<LockOutcome> {
  const token = newToken();
  for (let attempt = 0; ; attempt++) {
    if (await createWith(lockFile, token)) return { acquired: true, token };
    const text = await readHolder(lockFile);
    if (text === undefined) continue; // released in between: try again
    const live = liveHolder(parseHolder(text));
    if (live) return live;
    // Dead, unreadable, or our own pid left by an earlier process.
    if (await takeOver(lockFile, text, token)) return { acquired: true, token };
    // Another process is taking it over: give it a moment, then see who holds it.
    if (attempt > 200) throw new Error(`could not take the lock ${lockFile} after ${attempt} attempts`);
    await sleep(10);
  }
}

/** Deletes the lock only while it still holds `token`: a lock someone else holds now stays. */
export async function releaseLockFile(lockFile: string, token: string): Promise<void> {
  if ((await readHolder(lockFile)) === token) await rm(lockFile, { force: true });
}
