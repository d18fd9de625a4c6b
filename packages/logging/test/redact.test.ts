import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/redact.js';

describe('createRedactor', () => {
  const redact = createRedactor();

  it('censors secret-looking keys at any depth, case and separator insensitive', () => {
    const input = {
      headers: { Authorization: 'Bearer abc.def.ghi', 'X-Api-Key': 'k-123', accept: 'json' },
      config: { openaiApiKey: 'whatever', nested: { client_secret: 's', password: 'p', awsSecretAccessKey: 'a' } },
      usage: { inputTokens: 12, outputTokens: 3 },
    };
    expect(redact(input)).toEqual({
      headers: { Authorization: '[REDACTED]', 'X-Api-Key': '[REDACTED]', accept: 'json' },
      config: {
        openaiApiKey: '[REDACTED]',
        nested: { client_secret: '[REDACTED]', password: '[REDACTED]', awsSecretAccessKey: '[REDACTED]' },
      },
      usage: { inputTokens: 12, outputTokens: 3 },
    });
  });

  it('scrubs credentials inside strings and keeps the rest of the text', () => {
    const text =
      'calling with sk-proj-AbCdEfGhIjKlMnOpQrStUv and Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U at postgres://app:s3cr3t-pw@db:5432/x key AKIAIOSFODNN7EXAMPLE';
    const result = redact(text);
    expect(result).not.toContain('sk-proj-AbCd');
    expect(result).not.toContain('eyJhbGci');
    expect(result).not.toContain('s3cr3t-pw');
    expect(result).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(result).toBe(
      'calling with [REDACTED] and Bearer [REDACTED] at postgres://app:[REDACTED]@db:5432/x key [REDACTED]',
    );
  });

  it('censors configured paths with wildcards, in objects and arrays', () => {
    const byPath = createRedactor({ paths: ['user.email', '*.ssn', 'items.*.card'] });
    expect(
      byPath({ user: { email: 'a@b.c', name: 'Ann' }, person: { ssn: '123' }, items: [{ card: '4111', id: 1 }], email: 'top' }),
    ).toEqual({ user: { email: '[REDACTED]', name: 'Ann' }, person: { ssn: '[REDACTED]' }, items: [{ card: '[REDACTED]', id: 1 }], email: 'top' });
  });

  it('returns the same object when nothing is secret (no copy), and never mutates the input', () => {
    const clean = { runId: 'r1', durationMs: 3, nested: { a: [1, 2, 'x'] } };
    expect(redact(clean)).toBe(clean);
    const dirty = { nested: { token: 't' } };
    const result = redact(dirty);
    expect(result).not.toBe(dirty);
    expect(dirty.nested.token).toBe('t');
  });

  it('turns errors into plain objects with scrubbed messages, and survives cycles', () => {
    const error = Object.assign(new Error('401 for key sk-ant-api03-ABCDEFGHIJKLMNOPQRSTUVWX'), { code: 'E_AUTH' });
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const result = redact<unknown>({ err: error, cyclic }) as { err: Record<string, unknown>; cyclic: Record<string, unknown> };
    expect(result.err.type).toBe('Error');
    expect(result.err.code).toBe('E_AUTH');
    expect(result.err.message).toBe('401 for key [REDACTED]');
    expect(String(result.err.stack)).not.toContain('sk-ant-api03');
    expect(result.cyclic.self).toBe('[Circular]');
  });

  it('honours custom keys, censor and disabled patterns', () => {
    const custom = createRedactor({ keys: ['ssn'], censor: '***', patterns: false });
    expect(custom({ ssn: '1', password: 'kept', note: 'sk-proj-AbCdEfGhIjKlMnOpQrStUv' })).toEqual({
      ssn: '***',
      password: 'kept',
      note: 'sk-proj-AbCdEfGhIjKlMnOpQrStUv',
    });
  });

  it('scrubs with the same patterns as core: secret pairs whatever their case, quoted values, PEM keys', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    expect(redact('DB_PASSWORD=hunter2hunter2 and Password="correct horse battery staple"')).toBe('DB_PASSWORD=[REDACTED] and Password="[REDACTED]"');
    expect(redact(`key ${pem} end`)).toBe('key -----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY----- end');
    expect(redact('POSTGRES://app:s3cretpw@db/x')).toBe('POSTGRES://app:[REDACTED]@db/x');
  });
});
