import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, CircuitOpenError, ProviderError, TimeoutError, ValidationError } from '@entity/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage, type DriverPutRequest, inMemoryDriver, inMemoryStorage, localFileStorage, type StorageDriver } from '../src/index.js';

/**
 * A memory driver whose calls fail on demand, standing in for a flaky backend: the one thing
 * this file needs that a real component cannot produce on cue.
 */
function flakyDriver(failures: { count: number; error: () => unknown }) {
  const inner = inMemoryDriver();
  const calls: string[] = [];
  const maybeFail = (operation: string) => {
    calls.push(operation);
    if (failures.count > 0) {
      failures.count--;
      throw failures.error();
    }
  };
  const driver: StorageDriver = {
    name: 'flaky',
    async put(request: DriverPutRequest) {
      maybeFail('put');
      return inner.put(request);
    },
    async get(key, signal, maxBytes) {
      maybeFail('get');
      return inner.get(key, signal, maxBytes);
    },
    getStream: (key, signal) => inner.getStream(key, signal),
    list: (prefix, page, signal) => inner.list(prefix, page, signal),
    delete: (key, signal) => inner.delete(key, signal),
    async stat(key, signal) {
      maybeFail('stat');
      return inner.stat(key, signal);
    },
    copy: (from, to, signal) => inner.copy(from, to, signal),
    describeError: (error) => ({ reason: `backend said ${(error as { code?: string }).code}`, retryable: (error as { code?: string }).code === 'EAGAIN' }),
  };
  return { driver, calls };
}

const transient = () => Object.assign(new Error('try later'), { code: 'EAGAIN' });
const permanent = () => Object.assign(new Error('disk on fire'), { code: 'EFIRE' });

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('createStorage: retries and circuit breaker', () => {
  it('retries a transient failure and succeeds', async () => {
    const { driver, calls } = flakyDriver({ count: 1, error: transient });
    const storage = createStorage(driver, { retry: { baseDelayMs: 1 } });
    await storage.put('a.txt', 'x');
    expect(calls).toEqual(['put', 'put']);
    expect(storage.circuitBreaker.stats).toMatchObject({ state: 'closed', consecutiveFailures: 0, totalFailures: 1 });
  });

  it('does not retry a permanent failure, and words it with the operation and key', async () => {
    const { driver, calls } = flakyDriver({ count: 1, error: permanent });
    const storage = createStorage(driver, { retry: { baseDelayMs: 1 } });
    const error = await caught(storage.get('docs/a.txt'));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).message).toBe('Storage get failed for key "docs/a.txt": backend said EFIRE');
    expect((error as ProviderError).provider).toBe('storage:flaky');
    expect((error as ProviderError).details).toEqual({ operation: 'get', key: 'docs/a.txt', driver: 'flaky' });
    expect((error as ProviderError).safeMessage).not.toContain('EFIRE');
    expect(calls).toEqual(['get']);
  });

  it('opens the circuit after 2 failures by default and then refuses calls without touching the backend', async () => {
    const { driver, calls } = flakyDriver({ count: 100, error: transient });
    const storage = createStorage(driver, { retry: { baseDelayMs: 1, retries: 5 } });
    const error = await caught(storage.put('a.txt', 'x'));
    // The error that opened the circuit is reported, not the bare "circuit open".
    expect((error as Error).message).toBe('Storage put failed for key "a.txt": backend said EAGAIN');
    expect(calls).toEqual(['put', 'put']);
    expect(storage.circuitBreaker.state).toBe('open');
    const refused = await caught(storage.get('b.txt'));
    expect(CircuitOpenError.isInstance(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/^Storage get of "b.txt" refused: Circuit "storage:flaky" is open/);
    expect((refused as CircuitOpenError).details).toEqual({ operation: 'get', key: 'b.txt', driver: 'flaky' });
    expect(calls).toEqual(['put', 'put']);
  });

  it('takes a configurable failure threshold', async () => {
    const { driver } = flakyDriver({ count: 10, error: transient });
    const storage = createStorage(driver, { retry: false, circuitBreaker: { failureThreshold: 3 } });
    await caught(storage.get('a.txt'));
    await caught(storage.get('a.txt'));
    expect(storage.circuitBreaker.state).toBe('closed');
    await caught(storage.get('a.txt'));
    expect(storage.circuitBreaker.state).toBe('open');
  });

  it('lets a probe through after resetTimeoutMs and closes again when it succeeds', async () => {
    const storage = createStorage(flakyDriver({ count: 2, error: transient }).driver, { retry: false, circuitBreaker: { resetTimeoutMs: 20 } });
    await caught(storage.get('a.txt'));
    await caught(storage.get('a.txt'));
    expect(storage.circuitBreaker.state).toBe('open');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await storage.get('a.txt')).toBeUndefined();
    expect(storage.circuitBreaker.state).toBe('closed');
  });

  it('never retries a streamed put (a stream cannot be replayed)', async () => {
    const { driver, calls } = flakyDriver({ count: 1, error: transient });
    const storage = createStorage(driver, { retry: { baseDelayMs: 1 } });
    async function* body() {
      yield Buffer.from('streamed');
    }
    const error = await caught(storage.put('a.txt', body()));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(calls).toEqual(['put']);
  });

  it('does not count refused input against the backend', async () => {
    const { driver, calls } = flakyDriver({ count: 0, error: transient });
    const storage = createStorage(driver);
    for (let attempt = 0; attempt < 5; attempt++) await caught(storage.put('../x.txt', 'x'));
    await caught(storage.put('x.exe', 'x'));
    await caught(storage.put('big.txt', Buffer.alloc(11 * 1024 * 1024)));
    expect(calls).toEqual([]);
    expect(storage.circuitBreaker.stats.totalFailures).toBe(0);
  });

  it('times out slow calls with a message naming the operation and key', async () => {
    const slow: StorageDriver = {
      ...inMemoryDriver(),
      name: 'slow',
      get: (_key, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
    };
    const storage = createStorage(slow, { timeoutMs: 20, retry: false });
    const error = await caught(storage.get('slow.txt'));
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('Storage get of "slow.txt" timed out after 20 ms');
  });

  it('cancels a put through its AbortSignal', async () => {
    const storage = createStorage(inMemoryDriver());
    const controller = new AbortController();
    async function* endless() {
      for (;;) {
        yield Buffer.alloc(10);
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    const error = await caught(storage.put('a.txt', endless(), { signal: controller.signal }));
    expect(CancelledError.isInstance(error)).toBe(true);
    expect(await storage.exists('a.txt')).toBe(false);
  });
});

describe('createStorage: whole-object reads are bounded by maxFileSize', () => {
  it('the memory driver refuses get() of an object past the limit, and getStream still reads it', async () => {
    const driver = inMemoryDriver();
    await createStorage(driver, { maxFileSize: '1 MB' }).put('big.log', Buffer.alloc(1024 * 1024, 1));
    const smaller = createStorage(driver, { maxFileSize: '512 KB' });
    const error = await smaller.get('big.log').catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).code).toBe('STORAGE_FILE_TOO_LARGE');
    expect((error as Error).message).toBe(
      'Storage get refused for key "big.log": the object (1 MB) is larger than the 512 KB limit (maxFileSize). Fix: read it with getStream(), or raise maxFileSize',
    );
    let total = 0;
    for await (const chunk of (await smaller.getStream('big.log'))!) total += (chunk as Buffer).length;
    expect(total).toBe(1024 * 1024);
  });

  it('refuses what a custom driver returns past the limit, even when the driver ignores it', async () => {
    const inner = inMemoryDriver();
    await createStorage(inner).put('big.log', Buffer.alloc(2048, 1));
    const careless: StorageDriver = { ...inner, name: 'careless', get: (key, signal) => inner.get(key, signal, Number.POSITIVE_INFINITY) };
    const error = await createStorage(careless, { maxFileSize: 1024 }).get('big.log').catch((caught: unknown) => caught);
    expect((error as ValidationError).code).toBe('STORAGE_FILE_TOO_LARGE');
  });
});

describe('createStorage: backups of long names', () => {
  // Not in the conformance suite: the S3 test server (s3rver) keeps objects as files named after
  // the key plus its own suffixes, so it cannot hold names this long; the naming is the same for every driver.
  const root = mkdtempSync(join(tmpdir(), 'entity-storage-long-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const longNamedStorages = {
    memory: () => inMemoryStorage({ backupOnOverwrite: true, maxBackups: 1 }),
    local: () => localFileStorage({ root, backupOnOverwrite: true, maxBackups: 1 }),
  };
  for (const [driver, make] of Object.entries(longNamedStorages)) {
    it(`keeps apart the backups of two long names that share their first 225 bytes (${driver})`, async () => {
      const storage = make();
      // Too long to take a backup timestamp as they are: both are shortened, to the same first bytes.
      const first = `docs/${'a'.repeat(225)}y.md`;
      const second = `docs/${'a'.repeat(225)}x.md`;
      await storage.put(first, 'first v1');
      await storage.put(first, 'first v2');
      for (let version = 1; version <= 3; version++) await storage.put(second, `second v${version}`);
      const backups = (await storage.list('docs/.backups/', { limit: 100 })).items.map((item) => item.key);
      expect((await Promise.all(backups.map((backup) => storage.getText(backup)))).sort()).toEqual(['first v1', 'second v2']);
      for (const backup of backups) expect(Buffer.byteLength(backup.slice('docs/.backups/'.length))).toBeLessThanOrEqual(255);
    });
  }
});
