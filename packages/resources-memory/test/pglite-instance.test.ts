import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pgliteMemory } from '../src/index.js';

const folder = mkdtempSync(join(tmpdir(), 'entity-memory-instance-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('pglite: one instance per folder per process', () => {
  it('a symlinked path shares the instance of the real path instead of opening the files twice', async () => {
    mkdirSync(join(folder, 'real'));
    symlinkSync(join(folder, 'real'), join(folder, 'link'));
    const direct = pgliteMemory({ path: join(folder, 'real', 'memory') });
    const throughLink = pgliteMemory({ path: join(folder, 'link', 'memory') });
    await direct.start();
    await throughLink.start();
    try {
      // Session state is visible only inside one instance: a second instance would not see it.
      await direct.database.sql(`SELECT set_config('entity.instance_probe', 'shared', false)`);
      const probe = await throughLink.database.sql<{ value: string | null }>(`SELECT current_setting('entity.instance_probe', true) AS value`);
      expect(probe.rows[0]!.value).toBe('shared');
      await direct.set('symlink-user', 'k', 1);
      expect(await throughLink.get('symlink-user', 'k')).toBe(1);
    } finally {
      await throughLink.stop();
      await direct.stop();
    }
  });

  it('a symlink to the database folder itself also shares the instance', async () => {
    const real = join(folder, 'direct-memory');
    const direct = pgliteMemory({ path: real });
    await direct.start();
    symlinkSync(real, join(folder, 'memory-link'));
    const throughLink = pgliteMemory({ path: join(folder, 'memory-link') });
    await throughLink.start();
    try {
      await direct.database.sql(`SELECT set_config('entity.instance_probe', 'folder', false)`);
      const probe = await throughLink.database.sql<{ value: string | null }>(`SELECT current_setting('entity.instance_probe', true) AS value`);
      expect(probe.rows[0]!.value).toBe('folder');
    } finally {
      await throughLink.stop();
      await direct.stop();
    }
  });
});
