import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryChild } from './support/child-process.js';
import { driversUnderTest } from './support/drivers.js';

const drivers = await driversUnderTest('processes');
const children: MemoryChild[] = [];
const child = (options: Record<string, unknown>) => {
  const created = new MemoryChild(options);
  children.push(created);
  return created;
};

afterAll(async () => {
  for (const running of children) running.kill();
  await Promise.all(children.map((running) => running.exited));
  for (const driver of drivers) await driver.cleanup();
});

for (const driver of drivers) {
  describe.skipIf(!driver.available)(`${driver.name}: real processes`, () => {
    it('a process killed mid-write leaves only whole appends behind', async () => {
      const writer = child({ action: 'append-forever', ...driver.location() });
      await writer.waitFor((events) => events.filter((event) => event.event === 'batch').length >= 3, 90_000);
      writer.kill();
      const { signal } = await writer.exited;
      expect(signal).toBe('SIGKILL');

      const memory = driver.create();
      await memory.start();
      try {
        const messages = await memory.loadMessages({ userId: 'crash-user', conversationId: 'crash-conversation' });
        expect(messages.length).toBeGreaterThanOrEqual(3 * 20);
        expect(messages.length % 20, 'a partial batch of messages survived').toBe(0);
        expect(messages.map((item) => item.sequence)).toEqual(messages.map((_, index) => index + 1));
        for (const [index, item] of messages.entries()) {
          const [batch, part, padding] = item.message.content.split(':');
          expect([Number(batch), Number(part), padding?.length]).toEqual([Math.floor(index / 20), index % 20, 4_000]);
        }
        const documents = await memory.database.sql<{ batch: string; count: number | string }>(
          `SELECT split_part(id, ':', 1) AS batch, count(*) AS count FROM entity_documents WHERE user_id = 'crash-user' GROUP BY 1`,
        );
        for (const row of documents.rows) expect(Number(row.count), `documents of batch ${row.batch}`).toBe(20);
        // A second writer continues the same conversation without gaps or duplicates.
        const [next] = await memory.appendMessages({ userId: 'crash-user', conversationId: 'crash-conversation' }, [
          { role: 'user', content: 'after the crash' },
        ]);
        expect(next!.sequence).toBe(messages.length + 1);
      } finally {
        await memory.stop();
      }
    });
  });
}

const postgres = drivers.find((driver) => driver.name === 'postgres')!;
describe.skipIf(!postgres.available)('postgres: real processes', () => {
  it('three processes migrating a fresh schema at once apply each migration exactly once', async () => {
    const { url, schema } = postgres.location('race');
    const table = `race_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
    const startAt = Date.now() + 2_500;
    const racers = Array.from({ length: 3 }, () =>
      child({ action: 'migrate', url, schema, startAt, owner: 'race-plugin', table }),
    );
    const exits = await Promise.all(racers.map((racer) => racer.exited));
    for (const [index, exit] of exits.entries()) expect(exit.code, racers[index]!.describe()).toBe(0);
    for (const racer of racers) expect(racer.events.map((event) => event.event)).toEqual(['migrated']);

    const { postgresMemory } = await import('../src/index.js');
    const memory = postgresMemory({ url: url!, schema: schema! });
    await memory.start();
    try {
      const rows = await memory.database.sql<{ owner: string; version: number }>(
        'SELECT owner, version FROM entity_schema_migrations ORDER BY owner, version',
      );
      expect(rows.rows).toEqual([
        { owner: 'entity:memory', version: 1 },
        { owner: 'entity:memory:vectors', version: 1 },
        { owner: 'race-plugin', version: 1 },
        { owner: 'race-plugin', version: 2 },
      ]);
      expect((await memory.database.sql(`SELECT pid FROM ${table}`)).rowCount).toBe(1);
    } finally {
      await memory.stop();
    }
  });
});

const pglite = drivers.find((driver) => driver.name === 'pglite')!;
describe('pglite: real processes', () => {
  it('refuses a second process on the same folder with a clear error instead of corrupting it', async () => {
    const { path } = pglite.location('locked');
    const holder = child({ action: 'hold', path });
    await holder.waitFor((events) => events.some((event) => event.event === 'ready'), 90_000);
    const intruder = child({ action: 'hold', path });
    await intruder.exited;
    const error = intruder.events.find((event) => event.event === 'error');
    expect(error, intruder.describe()).toMatchObject({ code: 'MEMORY_LOCKED' });
    expect(String(error!.message)).toContain(String(holder.process.pid));
    expect(String(error!.message)).toMatch(/postgres/);
    holder.kill();
  });

  it('processes racing for a stale lock: exactly one takes it over, the others are refused', async () => {
    // The old check-then-write takeover let two racers through only when they interleaved,
    // so the race runs several rounds with many processes; the new takeover has one winner always.
    for (let round = 0; round < 3; round++) {
      const { path } = pglite.location(`stale-${round}`);
      // A lock left by a process that has exited.
      const dead = spawn(process.execPath, ['-e', '']);
      await once(dead, 'exit');
      mkdirSync(dirname(path!), { recursive: true });
      writeFileSync(`${path}.lock`, String(dead.pid));
      const startAt = Date.now() + 2_500;
      const racers = Array.from({ length: 6 }, () => child({ action: 'hold', path, startAt }));
      await Promise.all(
        racers.map((racer) =>
          racer.waitFor((events) => events.some((event) => event.event === 'ready' || event.event === 'error'), 90_000).catch(() => undefined),
        ),
      );
      const outcomes = racers.map((racer) => racer.events.find((event) => event.event === 'ready' || event.event === 'error'));
      const winners = outcomes.filter((outcome) => outcome?.event === 'ready');
      expect(winners, `round ${round}: ${racers.map((racer) => racer.describe()).join('\n')}`).toHaveLength(1);
      for (const outcome of outcomes) if (outcome?.event === 'error') expect(outcome).toMatchObject({ code: 'MEMORY_LOCKED' });
      const winner = racers[outcomes.indexOf(winners[0])]!;
      expect(readFileSync(`${path}.lock`, 'utf8').split(':')[0]).toBe(String(winner.process.pid));
      for (const racer of racers) racer.kill();
      await Promise.all(racers.map((racer) => racer.exited));
    }
  }, 300_000);
});
