import { ValidationError } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { inMemoryStorage, scopedStorage, userPrefix, userSegment, userStorage } from '../src/index.js';
import { describeStorageConformance } from '../src/testing/index.js';

// A scoped view must still behave like a Storage in every respect.
describeStorageConformance('userStorage over memory', (options) => userStorage(inMemoryStorage(options), 'alice@example.com'));

describe('per-user namespacing', () => {
  it('keeps users apart and shows each only their own keys', async () => {
    const shared = inMemoryStorage();
    const alice = userStorage(shared, 'alice');
    const bob = userStorage(shared, 'bob');
    await alice.put('notes.md', 'alice notes');
    await bob.put('notes.md', 'bob notes');
    expect(await alice.getText('notes.md')).toBe('alice notes');
    expect(await bob.getText('notes.md')).toBe('bob notes');
    expect((await alice.list()).items.map((item) => item.key)).toEqual(['notes.md']);
    expect((await shared.list()).items.map((item) => item.key)).toEqual(['users/alice/notes.md', 'users/bob/notes.md']);
    expect((await alice.stat('notes.md'))?.key).toBe('notes.md');
  });

  it('refuses keys that would climb out of the user folder, naming the key the user gave', async () => {
    const shared = inMemoryStorage();
    await shared.put('users/bob/secret.txt', 'bob only');
    const alice = userStorage(shared, 'alice');
    for (const key of ['../bob/secret.txt', '../../users/bob/secret.txt', '/users/bob/secret.txt', 'x/../../bob/secret.txt']) {
      const error = await alice.getText(key).catch((caught: unknown) => caught);
      expect(ValidationError.isInstance(error), key).toBe(true);
      expect((error as Error).message).toContain(JSON.stringify(key));
    }
    await expect(alice.list('../')).rejects.toThrow(ValidationError);
  });

  it('turns any user id into one safe, distinct folder name', () => {
    expect(userSegment('alice')).toBe('alice');
    expect(userSegment('user_42-x')).toBe('user_42-x');
    expect(userSegment('Alice')).toBe('%41lice');
    expect(userSegment('alice@example.com')).toBe('alice%40example%2Ecom');
    expect(userSegment('..')).toBe('%2E%2E');
    expect(userSegment('../../etc')).toBe('%2E%2E%2F%2E%2E%2Fetc');
    expect(userSegment('ü')).toBe('%C3%BC');
    const ids = ['a', 'A', '%41', 'a.b', 'a%2Eb', 'a/b', 'a b', 'a\0b', '.'];
    expect(new Set(ids.map(userSegment)).size).toBe(ids.length);
    expect(userPrefix('Bob')).toBe('users/%42ob/');
    expect(() => userSegment('')).toThrow(ValidationError);
  });

  it('scopes to any folder and keeps that folder\'s backups inside it', async () => {
    const shared = inMemoryStorage({ backupOnOverwrite: true });
    const project = scopedStorage(shared, 'projects/alpha');
    await project.put('plan.md', 'v1');
    await project.put('plan.md', 'v2');
    const keys = (await project.list()).items.map((item) => item.key);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^\.backups\/plan\..*\.md$/);
    expect(await project.getText(keys[0]!)).toBe('v1');
    expect((await shared.list()).items.every((item) => item.key.startsWith('projects/alpha/'))).toBe(true);
  });
});
