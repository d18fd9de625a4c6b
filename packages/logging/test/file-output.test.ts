import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogging, type LoggingResource } from '../src/index.js';

let directory: string;
const open: LoggingResource[] = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'entity-logging-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((logging) => logging.stop()));
  await rm(directory, { recursive: true, force: true });
});

const fileLogging = (file: Record<string, unknown>) => {
  const logging = createLogging({ console: false, file: { path: join(directory, 'agent.jsonl'), ...file }, hostname: false, pid: false });
  open.push(logging);
  return logging;
};

const readLines = async (name: string) =>
  (await readFile(join(directory, name), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const logFiles = async () => (await readdir(directory)).filter((name) => name.endsWith('.jsonl')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

describe('file output', () => {
  it('writes JSON Lines to a dated file', async () => {
    const now = new Date('2025-03-01T10:00:00Z');
    const logging = fileLogging({ now: () => now });
    await logging.start();
    logging.info('one', { runId: 'r1' });
    logging.warn('two');
    await logging.flush();
    expect(await logFiles()).toEqual(['agent.2025-03-01.1.jsonl']);
    expect((await readLines('agent.2025-03-01.1.jsonl')).map((entry) => [entry.level, entry.msg, entry.runId])).toEqual([
      ['info', 'one', 'r1'],
      ['warn', 'two', undefined],
    ]);
  });

  it('rotates by size without splitting an entry, and keeps every entry in order', async () => {
    const logging = fileLogging({ maxSizeBytes: 2048, maxFiles: 100, now: () => new Date('2025-03-01T10:00:00Z') });
    for (let index = 0; index < 60; index++) {
      logging.info('entry', { index, padding: 'p'.repeat(100) });
      if (index % 7 === 0) await logging.flush();
    }
    await logging.flush();
    const files = await logFiles();
    expect(files.length).toBeGreaterThanOrEqual(4);
    const indexes: number[] = [];
    for (const file of files) {
      const text = await readFile(join(directory, file), 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(2048);
      indexes.push(...(await readLines(file)).map((entry) => Number(entry.index)));
    }
    expect(indexes).toEqual([...Array(60).keys()]);
    expect(logging.stats().outputs[0]!.details).toMatchObject({ rotations: files.length - 1 });
  });

  it('rotates when the UTC day changes, and removes files past maxFiles and maxAgeDays', async () => {
    let now = new Date('2025-03-01T23:59:59Z');
    await writeFile(join(directory, 'agent.2025-02-01.1.jsonl'), '{}\n'); // older than maxAgeDays
    await writeFile(join(directory, 'unrelated.txt'), 'keep me');
    const logging = fileLogging({ maxFiles: 3, maxAgeDays: 7, now: () => now });
    await logging.start();
    expect(await logFiles()).toEqual(['agent.2025-03-01.1.jsonl']);
    for (const day of ['2025-03-02', '2025-03-03', '2025-03-04']) {
      logging.info(`before ${day}`);
      await logging.flush();
      now = new Date(`${day}T00:00:01Z`);
    }
    logging.info('last');
    await logging.flush();
    expect(await logFiles()).toEqual(['agent.2025-03-02.1.jsonl', 'agent.2025-03-03.1.jsonl', 'agent.2025-03-04.1.jsonl']);
    expect((await readLines('agent.2025-03-04.1.jsonl')).map((entry) => entry.msg)).toEqual(['last']);
    expect(await readdir(directory)).toContain('unrelated.txt');
  });

  it('continues today’s file after a restart instead of overwriting it', async () => {
    const now = () => new Date('2025-03-01T10:00:00Z');
    const first = fileLogging({ now });
    first.info('before restart');
    await first.stop();
    const second = fileLogging({ now });
    second.info('after restart');
    await second.flush();
    expect((await readLines('agent.2025-03-01.1.jsonl')).map((entry) => entry.msg)).toEqual(['before restart', 'after restart']);
  });

  it('counts entries written after stop as lost instead of reopening the file, and resumes on start', async () => {
    const now = () => new Date('2025-03-01T10:00:00Z');
    const logging = fileLogging({ now });
    await logging.start();
    logging.info('before stop');
    await logging.stop();
    logging.info('after stop');
    await logging.flush();
    expect(logging.stats().outputs[0]).toMatchObject({ written: 1, failed: 1, lastError: expect.stringContaining('closed') });
    await logging.start();
    logging.info('after restart');
    await logging.flush();
    expect((await readLines('agent.2025-03-01.1.jsonl')).map((entry) => entry.msg)).toEqual(['before stop', 'after restart']);
  });

  it('fails fast at start when the path cannot be used', async () => {
    await writeFile(join(directory, 'blocker'), 'a file where a directory should be');
    const logging = createLogging({ console: false, file: { path: join(directory, 'blocker', 'agent.jsonl') } });
    open.push(logging);
    await expect(logging.start()).rejects.toMatchObject({
      name: 'ResourceError',
      code: 'LOGGING_OUTPUT_START_FAILED',
      message: expect.stringContaining('Fix: make sure the folder of `file.path`'),
    });
  });

  it('a destination that starts failing loses entries (counted) but never throws, and recovers', async () => {
    let now = new Date('2025-03-01T10:00:00Z');
    const logging = fileLogging({ now: () => now });
    await logging.start();
    logging.info('written');
    await logging.flush();
    await rm(directory, { recursive: true, force: true });
    await writeFile(directory, 'a file took the directory’s place');
    now = new Date('2025-03-02T10:00:00Z'); // the next write must open a new file, which now fails
    expect(() => logging.info('lost')).not.toThrow();
    await logging.flush();
    expect(logging.stats().outputs[0]).toMatchObject({ failed: 1, failing: true, lastError: expect.stringMatching(/EEXIST|ENOTDIR/) });
    expect((await logging.healthCheck()).healthy).toBe(false);
    await rm(directory, { force: true });
    logging.info('recovered');
    await logging.flush();
    expect((await logging.healthCheck()).healthy).toBe(true);
    expect((await readLines('agent.2025-03-02.1.jsonl')).map((entry) => entry.msg)).toEqual(['recovered']);
  });
});
