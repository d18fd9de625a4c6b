import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { pgliteMemory } from '../src/index.js';

const folder = mkdtempSync(join(tmpdir(), 'entity-memory-lock-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Opens `path` in a worker thread of this process with the built package; its outcome. */
async function openInThread(path: string): Promise<{ event: string; code?: string; message?: string }> {
  const worker = new Worker(new URL('./fixtures/open-in-thread.ts', import.meta.url), { workerData: { path } });
  const [outcome] = await once(worker, 'message');
  await once(worker, 'exit');
  return outcome;
}

describe('pglite: one open instance per folder in the whole process', () => {
  it('another worker thread of this process is refused while the folder is open, and can open it once closed', async () => {
    const path = join(folder, 'threads');
    const memory = pgliteMemory({ path, embedder: 'hashing' });
    await memory.start();
    const lock = readFileSync(`${path}.lock`, 'utf8');
    try {
      const refused = await openInThread(path);
      expect(refused).toMatchObject({ event: 'error', code: 'MEMORY_LOCKED' });
      expect(refused.message).toContain('in use by this process');
      // The refused thread left our lock alone and never opened the files.
      expect(readFileSync(`${path}.lock`, 'utf8')).toBe(lock);
      expect(await memory.get('thread-user', 'k')).toBeUndefined();
    } finally {
      await memory.stop();
    }
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(await openInThread(path)).toEqual({ event: 'opened' });
  });

  it('two copies of the package in one thread share the instance instead of opening the files twice', async () => {
    const path = join(folder, 'copies');
    // dist/ is a second copy of the package's modules next to the src/ copy the tests import.
    const copy = (await import('../dist/index.js')) as unknown as typeof import('../src/index.js');
    const first = pgliteMemory({ path, embedder: 'hashing' });
    const second = copy.pgliteMemory({ path, embedder: 'hashing' });
    await first.start();
    await second.start();
    try {
      await first.database.sql(`SELECT set_config('entity.instance_probe', 'one instance', false)`);
      const probe = await second.database.sql<{ value: string | null }>(`SELECT current_setting('entity.instance_probe', true) AS value`);
      expect(probe.rows[0]!.value).toBe('one instance');
      await second.set('copy-user', 'k', 'from the second copy');
      expect(await first.get('copy-user', 'k')).toBe('from the second copy');
      await second.stop();
      // The last user closes it: the lock stays while the first copy still uses the folder.
      expect(existsSync(`${path}.lock`)).toBe(true);
      expect(await first.get('copy-user', 'k')).toBe('from the second copy');
    } finally {
      await second.stop();
      await first.stop();
    }
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('a lock with our pid from an earlier process (pid reuse) is taken over; stop deletes only a lock that still holds our token', async () => {
    const path = join(folder, 'reused-pid');
    writeFileSync(`${path}.lock`, `${process.pid}:k1:0:${randomUUID()}`);
    const memory = pgliteMemory({ path, embedder: 'hashing' });
    await memory.start();
    try {
      expect(readFileSync(`${path}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid}:(?!k1:)`));
    } finally {
      // As if the lock had been replaced meanwhile (by hand, or by an older copy of the package).
      writeFileSync(`${path}.lock`, `${process.pid}:k2:0:foreign`);
      await memory.stop();
    }
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.pid}:k2:0:foreign`);
  });
});
