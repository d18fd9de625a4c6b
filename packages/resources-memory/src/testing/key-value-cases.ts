import type { JsonValue, Memory } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { expectValidationError, uniqueUser } from './conformance-helpers.js';
import { INJECTION_STRINGS } from './injection-strings.js';

const VALUES: readonly [string, JsonValue][] = [
  ['string', 'hello'],
  ['empty string', ''],
  ['unicode', 'héllo wörld — 你好 🚀 \u2028'],
  ['integer', 42],
  ['negative float', -3.25],
  ['zero', 0],
  ['true', true],
  ['false', false],
  ['null', null],
  ['array', [1, 'two', null, { three: [3] }]],
  ['empty array', []],
  ['empty object', {}],
  ['nested object', { a: { b: { c: [true, false] } }, 'key with spaces': 'v', "quote'key": '"' }],
];

export function keyValueCases(memory: () => Memory): void {
  describe('key-value', () => {
    it.each(VALUES)('round-trips %s', async (_, value) => {
      const user = uniqueUser('kv');
      await memory().set(user, 'key', value);
      expect(await memory().get(user, 'key')).toEqual(value);
    });

    it('returns undefined for a missing key and overwrites on set', async () => {
      const user = uniqueUser('kv');
      expect(await memory().get(user, 'missing')).toBeUndefined();
      await memory().set(user, 'k', 1);
      await memory().set(user, 'k', { two: 2 });
      expect(await memory().get(user, 'k')).toEqual({ two: 2 });
      expect(await memory().list(user)).toEqual(['k']);
    });

    it('deletes and says whether the key existed', async () => {
      const user = uniqueUser('kv');
      await memory().set(user, 'k', 'v');
      expect(await memory().delete(user, 'k')).toBe(true);
      expect(await memory().delete(user, 'k')).toBe(false);
      expect(await memory().get(user, 'k')).toBeUndefined();
    });

    it('lists keys sorted, filtered by a literal prefix', async () => {
      const user = uniqueUser('kv');
      for (const key of ['b', 'a/2', 'a/1', 'ab', '%x', '_y', 'a%']) await memory().set(user, key, key);
      expect(await memory().list(user)).toEqual(['%x', '_y', 'a%', 'a/1', 'a/2', 'ab', 'b']);
      expect(await memory().list(user, 'a/')).toEqual(['a/1', 'a/2']);
      expect(await memory().list(user, '%')).toEqual(['%x']);
      expect(await memory().list(user, '_')).toEqual(['_y']);
      expect(await memory().list(user, 'zzz')).toEqual([]);
    });

    it('never shows one user the keys of another', async () => {
      const alice = uniqueUser('alice');
      const bob = uniqueUser('bob');
      await memory().set(alice, 'secret', 'alice-only');
      expect(await memory().get(bob, 'secret')).toBeUndefined();
      expect(await memory().list(bob)).toEqual([]);
      expect(await memory().delete(bob, 'secret')).toBe(false);
      expect(await memory().get(alice, 'secret')).toBe('alice-only');
    });

    it('stores SQL-looking keys and user ids literally', async () => {
      const victim = uniqueUser('victim');
      await memory().set(victim, 'private', 'still here');
      for (const text of INJECTION_STRINGS) {
        const user = `${uniqueUser('attacker')}${text}`;
        await memory().set(user, text, { text });
        expect(await memory().get(user, text)).toEqual({ text });
        expect(await memory().list(user)).toEqual([text]);
        expect(await memory().list(text)).toEqual([]);
        expect(await memory().get(text, 'private')).toBeUndefined();
      }
      expect(await memory().get(victim, 'private')).toBe('still here');
    });

    it('rejects what it cannot store, changing nothing', async () => {
      const user = uniqueUser('kv');
      await expectValidationError(memory().set(user, '', 1));
      await expectValidationError(memory().set('', 'k', 1));
      await expectValidationError(memory().set(user, 'k', undefined as unknown as JsonValue));
      await expectValidationError(memory().set(user, 'k', Number.NaN));
      await expectValidationError(memory().set(user, 'k', { when: new Date() } as unknown as JsonValue));
      expect(await memory().list(user)).toEqual([]);
    });
  });
}
