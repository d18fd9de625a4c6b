import { ValidationError } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { compareKeys, isBackupKey, keyExtension, normaliseKey, normalisePrefix, parseByteSize } from '../src/index.js';
import { NASTY_KEYS } from '../src/testing/index.js';

describe('normaliseKey', () => {
  it('has at least 20 nasty keys, all refused with STORAGE_INVALID_KEY', () => {
    expect(NASTY_KEYS.length).toBeGreaterThanOrEqual(20);
    for (const { key, why, readable } of NASTY_KEYS) {
      let error: unknown;
      try {
        normaliseKey(key);
      } catch (caught) {
        error = caught;
      }
      expect(ValidationError.isInstance(error), why).toBe(true);
      expect((error as ValidationError).code, why).toBe('STORAGE_INVALID_KEY');
      if (readable) expect(normaliseKey(key, { allowReserved: true })).toBe(key);
    }
  });

  it('normalises harmless variations to one key', () => {
    expect(normaliseKey('a//b/./c.txt')).toBe('a/b/c.txt');
    expect(normaliseKey('./a.txt')).toBe('a.txt');
    expect(normaliseKey('cafe\u0301.txt')).toBe('caf\u00e9.txt');
    expect(normaliseKey('notes/2025-01-01 plan (v2).md')).toBe('notes/2025-01-01 plan (v2).md');
    expect(normaliseKey('données/über/中文.txt')).toBe('données/über/中文.txt');
  });

  it('explains the problem and the fix without echoing huge keys', () => {
    expect(() => normaliseKey('../x.txt')).toThrow(/Invalid storage key "\.\.\/x\.txt": it contains "\.\." \(parent folder\)\. Fix: /);
    let error: unknown;
    try {
      normaliseKey(`${'y'.repeat(5000)}.txt`);
    } catch (caught) {
      error = caught;
    }
    expect((error as Error).message.length).toBeLessThan(400);
    expect((error as ValidationError).safeMessage).toBe('That file path is not allowed: a path segment is longer than 255 bytes.');
  });
});

describe('key helpers', () => {
  it('normalises list prefixes, keeping a trailing slash', () => {
    expect(normalisePrefix('')).toBe('');
    expect(normalisePrefix(undefined)).toBe('');
    expect(normalisePrefix('docs/')).toBe('docs/');
    expect(normalisePrefix('docs//2025')).toBe('docs/2025');
    expect(() => normalisePrefix('../')).toThrow(ValidationError);
  });

  it('finds extensions and backup keys', () => {
    expect(keyExtension('a/b/Report.MD')).toBe('.md');
    expect(keyExtension('archive.tar.gz')).toBe('.gz');
    expect(keyExtension('Makefile')).toBe('');
    expect(keyExtension('dir.d/file')).toBe('');
    expect(isBackupKey('docs/.backups/a.20250101T000000000Z-abcdef.md')).toBe(true);
    expect(isBackupKey('docs/backups/a.md')).toBe(false);
  });

  it('orders keys by code point like S3 (UTF-8 byte order), not by UTF-16 unit', () => {
    const keys = ['a/x', 'a-b', 'a.txt', 'b', '\u{1F600}.txt', '\uFF21.txt', 'A'];
    expect([...keys].sort(compareKeys)).toEqual(['A', 'a-b', 'a.txt', 'a/x', 'b', '\uFF21.txt', '\u{1F600}.txt']);
    const utf8Order = [...keys].sort((left, right) => Buffer.compare(Buffer.from(left), Buffer.from(right)));
    expect([...keys].sort(compareKeys)).toEqual(utf8Order);
  });

  it('parses sizes', () => {
    expect(parseByteSize(10)).toBe(10);
    expect(parseByteSize('10 MB')).toBe(10 * 1024 * 1024);
    expect(parseByteSize('512kb')).toBe(512 * 1024);
    expect(parseByteSize(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(() => parseByteSize('lots')).toThrow(/maxFileSize: "lots" is not a size/);
    expect(() => parseByteSize(-1)).toThrow(/is not a size/);
    expect(() => parseByteSize(1.5)).toThrow(/is not a size/);
  });
});
