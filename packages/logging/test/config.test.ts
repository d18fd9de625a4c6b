import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { correlationIdFromHeaders, loggingConfigSchema, resourceTypes } from '../src/index.js';

describe('YAML config and resource types', () => {
  it('exports `logging` and `pino` types from this package', () => {
    expect(resourceTypes.map((type) => [type.type, type.packageName])).toEqual([
      ['logging', '@entity/logging'],
      ['pino', '@entity/logging'],
    ]);
  });

  it('accepts a full config, with sizes written as text', () => {
    const config = loggingConfigSchema.parse({
      level: 'debug',
      filters: { components: { resource: 'warn' }, resources: { memory: 'off' } },
      redact: { paths: ['user.email'] },
      console: { pretty: true, colors: 'auto' },
      file: { path: './logs/agent.jsonl', maxSizeBytes: '5MB', maxFiles: 3, maxAgeDays: 2 },
      stream: { port: 0, maxClients: 4, maxBufferedBytes: '256kb' },
      operations: { success: { resource: 'info' } },
    });
    expect(config.file).toMatchObject({ maxSizeBytes: 5 * 1024 * 1024 });
    expect(config.stream).toMatchObject({ maxBufferedBytes: 256 * 1024 });
  });

  it('rejects unknown keys and bad values with their paths', () => {
    const result = loggingConfigSchema.safeParse({ level: 'loud', file: { path: 'x', rotate: 'hourly' }, stream: { maxBufferedBytes: 'lots' } });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['level', 'file', 'stream.maxBufferedBytes']));
    expect(result.error!.issues.find((issue) => issue.path.join('.') === 'file')!.message).toContain('rotate');
    expect(loggingConfigSchema.parse({ console: false, file: true }).file).toEqual({});
  });

  it('refuses a stream token a browser cannot send as a subprotocol (base64 / + =), naming the fix, never the token', () => {
    for (const token of ['c2VjcmV0/dG9rZW4+', 'c2VjcmV0dG9rZW4=', 'two words', 'bearer\u00e9']) {
      const result = loggingConfigSchema.safeParse({ stream: { token } });
      expect(result.success, token).toBe(false);
      const issue = result.error!.issues[0]!;
      expect(issue.path.join('.')).toBe('stream.token');
      expect(issue.message).toMatch(/hex or base64url/);
      expect(issue.message).not.toContain(token);
    }
    for (const token of [randomBytes(32).toString('hex'), randomBytes(32).toString('base64url'), 'let-me-in']) {
      expect(loggingConfigSchema.parse({ stream: { token } }).stream).toMatchObject({ token });
    }
  });

  it('creates a working logger from a validated YAML block', async () => {
    const type = resourceTypes.find((candidate) => candidate.type === 'logging')!;
    const logging = (await type.create(type.configSchema.parse({ console: false, level: 'warn' }))) as {
      warn(message: string): void;
      stats(): { outputs: { name: string }[] };
      stop(): Promise<void>;
    };
    logging.warn('works');
    // Only the in-process live output (for subscribers such as the Studio) remains.
    expect(logging.stats().outputs.map((output) => output.name)).toEqual(['live']);
    await logging.stop();
  });
});

describe('correlationIdFromHeaders', () => {
  it('takes the first plain id from the usual headers, and the trace id from traceparent', () => {
    expect(correlationIdFromHeaders({ 'X-Request-Id': 'req-42' })).toBe('req-42');
    expect(correlationIdFromHeaders({ 'x-correlation-id': ['c-1', 'c-2'], 'x-request-id': 'r' })).toBe('c-1');
    expect(correlationIdFromHeaders(new Headers({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }))).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it('ignores values that could inject text into logs', () => {
    expect(correlationIdFromHeaders({ 'x-request-id': 'abc\n{"level":"fatal"}' })).toBeUndefined();
    expect(correlationIdFromHeaders({ 'x-request-id': 'x'.repeat(500) })).toBeUndefined();
  });
});
