import { describe, expect, it } from 'vitest';
import { inMemoryStorage } from '../src/index.js';
import { describeStorageConformance } from '../src/testing/index.js';

describeStorageConformance('memory', (options) => inMemoryStorage(options));

describe('inMemoryStorage', () => {
  it('keeps separate instances apart', async () => {
    const first = inMemoryStorage();
    const second = inMemoryStorage();
    await first.put('a.txt', 'one');
    expect(await second.exists('a.txt')).toBe(false);
    expect(first.driver).toBe('memory');
  });

  it('returns copies, so callers cannot change stored bytes', async () => {
    const storage = inMemoryStorage();
    const body = new Uint8Array([1, 2, 3]);
    await storage.put('a.log', body);
    body[0] = 9;
    const read = (await storage.get('a.log'))!;
    read[1] = 9;
    expect([...(await storage.get('a.log'))!]).toEqual([1, 2, 3]);
  });
});
