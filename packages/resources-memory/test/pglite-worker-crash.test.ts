import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseMemory } from '../src/database-memory.js';
import { PgliteDriver } from '../src/drivers/pglite-driver.js';
import { MemoryDatabaseError } from '../src/index.js';

const folder = mkdtempSync(join(tmpdir(), 'entity-memory-crash-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A PGlite memory whose driver the test can reach, to kill the real worker thread under it. */
function crashableMemory(path: string) {
  const drivers: PgliteDriver[] = [];
  const memory = new DatabaseMemory(({ resourceName }) => {
    const driver = new PgliteDriver(path, resourceName);
    drivers.push(driver);
    return driver;
  }, { embedder: 'hashing' });
  // The worker is private to the client: reached here only to end the thread as a crash would.
  const worker = () => (drivers.at(-1) as unknown as { database: { worker: Worker } }).database.worker;
  return { memory, worker };
}

describe('pglite: the worker thread dies under a started memory', () => {
  it('calls fail as not transient and say to restart, health reports it, the folder is released and a restart works', async () => {
    const path = join(folder, 'crashed');
    const first = crashableMemory(path);
    await first.memory.start();
    await first.memory.set('crash-user', 'k', 'before the crash');
    const crashedLock = readFileSync(`${path}.lock`, 'utf8');
    await first.worker().terminate();

    const error = await first.memory.get('crash-user', 'k').then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(MemoryDatabaseError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'MEMORY_WORKER_EXITED', transient: false, retryable: false });
    expect((error as Error).message).toMatch(/stopped unexpectedly.*restart/);
    const health = await first.memory.healthCheck();
    expect(health.healthy).toBe(false);
    expect(health.message).toContain('stopped unexpectedly');
    expect(first.memory.circuitBreaker?.state).toBe('closed');

    // Nothing uses the files any more: a new memory on the folder opens a new instance (and lock).
    const second = crashableMemory(path);
    await second.memory.start();
    try {
      expect(readFileSync(`${path}.lock`, 'utf8')).not.toBe(crashedLock);
      expect(second.worker()).not.toBe(first.worker());
      expect(await second.memory.get('crash-user', 'k')).toBe('before the crash');
      // Restarting the crashed memory joins the new instance; its stop leaves the other user alone.
      await first.memory.stop();
      await first.memory.start();
      await first.memory.set('crash-user', 'k', 'after the restart');
      expect(await second.memory.get('crash-user', 'k')).toBe('after the restart');
      await first.memory.stop();
      expect(await second.memory.get('crash-user', 'k')).toBe('after the restart');
      expect(existsSync(`${path}.lock`)).toBe(true);
    } finally {
      await first.memory.stop();
      await second.memory.stop();
    }
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});
