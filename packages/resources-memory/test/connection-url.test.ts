import { inspect } from 'node:util';
import { ConfigError } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { parseConnectionUrl, postgresMemory, postgresResourceType } from '../src/index.js';

const SECRET = 'Sup3r-Secret';

/** Every way an error can reach a log or a terminal: message, stack, own fields, and its causes. */
function everythingIn(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    parts.push(String(current), (current as Error).stack ?? '', JSON.stringify(current) ?? '');
    current = (current as { cause?: unknown }).cause;
  }
  parts.push(inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }));
  return parts.join('\n');
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a ConfigError');
}

const MALFORMED_URLS: ReadonlyArray<[string, string, RegExp]> = [
  ['a port that is not a number', `postgres://agent:${SECRET}@db.internal:notaport/app`, /not a valid URL/],
  ['an unclosed IPv6 host', `postgres://agent:${SECRET}@[::1/app`, /not a valid URL/],
  ['a space in the host', `postgres://agent:${SECRET}@db internal/app`, /not a valid URL/],
  ['a port out of range', `postgres://agent:${SECRET}@db.internal:99999/app`, /not a valid URL|port/],
  ['a broken escape in the password', `postgres://agent:${SECRET}%E0%A4%A@db.internal/app`, /percent-escape in the password/],
  ['a broken escape in the database', `postgres://agent:${SECRET}@db.internal/%E0%A4%A${SECRET}`, /percent-escape in the database name/],
  ['a broken escape in the user', `postgres://%E0%A4%A${SECRET}:${SECRET}@db.internal/app`, /percent-escape in the user name/],
];

describe('connection URLs', () => {
  it.each(MALFORMED_URLS)('rejects %s with a ConfigError that carries no part of the URL', (_, url, expected) => {
    for (const attempt of [
      () => parseConnectionUrl(url),
      () => postgresMemory({ url }),
      () => postgresResourceType.create({ url } as never),
    ]) {
      const error = thrownBy(attempt);
      expect(ConfigError.isInstance(error), String(error)).toBe(true);
      expect((error as ConfigError).message).toMatch(expected);
      expect((error as ConfigError).issues[0]?.path).toBe('url');
      expect(everythingIn(error)).not.toContain(SECRET);
      expect(everythingIn(error)).not.toContain('db.internal');
    }
  });

  it('reads host, port, user and database from a valid URL', () => {
    expect(parseConnectionUrl(`postgres://agent:${encodeURIComponent('p@ss:w/rd#%')}@db.internal:6543/app`)).toEqual({
      host: 'db.internal',
      port: 6543,
      database: 'app',
      user: 'agent',
    });
  });
});
