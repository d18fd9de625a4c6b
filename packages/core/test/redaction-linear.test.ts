import { describe, expect, it } from 'vitest';
import { createSecretRedactor } from '../src/index.js';
import { MAX_REDACTED_TEXT_LENGTH, SECRET_TEXT_PATTERNS } from '../src/internal.js';

/**
 * The redactor runs synchronously on every failed tool's error and every log line, so a pattern
 * that backtracks over the whole input at every word freezes the event loop. The old `secret pair`
 * prefix took about 9 s on 128 KB of `a-a-…` on this machine (2.4 s for 64 KB: quadratic); linear
 * patterns take milliseconds. The bound below is 2 s — far above linear, far below quadratic — so
 * the check holds on a loaded machine and still fails on the old patterns. V8 exposes no count of
 * regex steps, so a generous time bound on an input of a size where the two differ by three orders
 * of magnitude is the robust choice.
 */
const GENEROUS_BOUND_MS = 2_000;
const SIZE = 128 * 1024;

/** Inputs that make a badly anchored credential pattern rescan the rest of the text from every position. */
const ADVERSARIAL_UNITS = ['a-', 'a_', 'DB_PASSWORD_', 'token ', 'token=', 'x://a:', 'a@', 'Basic ', 'password="', 'sk-', '-----BEGIN PRIVATE KEY-----'];

describe('secret patterns scan in linear time', () => {
  it('every pattern together, uncut, scans 128 KB of each adversarial input well within 2 s', () => {
    const pattern = new RegExp(SECRET_TEXT_PATTERNS.map(({ pattern: source }) => `(${source})`).join('|'), 'gi');
    for (const unit of ADVERSARIAL_UNITS) {
      const input = unit.repeat(Math.ceil(SIZE / unit.length));
      const started = performance.now();
      const replaced = input.replace(pattern, '#');
      const elapsed = performance.now() - started;
      expect(replaced.length, unit).toBeGreaterThan(0);
      expect(elapsed, `${unit} x ${SIZE / unit.length}`).toBeLessThan(GENEROUS_BOUND_MS);
    }
  });

  it('redactSecrets on 128 KB of `a-a-…` (8 s before) returns within 2 s', () => {
    const redact = createSecretRedactor({ environment: { DB_PASSWORD: 'hunter2hunter2' } });
    const input = 'a-'.repeat(SIZE / 2);
    const started = performance.now();
    const output = redact.text(input);
    expect(performance.now() - started).toBeLessThan(GENEROUS_BOUND_MS);
    expect(output.startsWith('a-a-a-')).toBe(true);
  });

  it('cuts text longer than 64 KB with a marker, secrets before the cut still censored, nothing after it let through', () => {
    const redact = createSecretRedactor({ environment: {} });
    const secretAfterCut = 'sk-ant-api03-AfterTheCutAfterTheCut';
    const input = `password=hunter2hunter2 ${'word '.repeat(MAX_REDACTED_TEXT_LENGTH / 5)} ${secretAfterCut}`;
    const output = redact.text(input);
    expect(output.startsWith('password=[REDACTED] word word')).toBe(true);
    expect(output).toMatch(/…\[truncated \d+ characters\]$/);
    expect(output.length).toBeLessThanOrEqual(MAX_REDACTED_TEXT_LENGTH + 40);
    expect(output).not.toContain('sk-ant');
    // A token the cut falls into goes whole: half a key no longer matches its pattern.
    const longToken = `${'x '.repeat(MAX_REDACTED_TEXT_LENGTH / 2 - 10)}sk-ant-api03-${'K'.repeat(100)}`;
    expect(redact.text(longToken)).not.toMatch(/sk-ant/);
  });

  it('a PEM header repeated without an END marker is read once, not rescanned 8 KB ahead from every header', () => {
    // The old lazy scan for the END marker read up to 8 KB after each header: about 1 µs a byte,
    // so 1 MB took seconds; read once, it takes milliseconds.
    const pattern = new RegExp(SECRET_TEXT_PATTERNS.map(({ pattern: source }) => `(${source})`).join('|'), 'gi');
    for (const unit of ['-----BEGIN PRIVATE KEY----- ', '-----BEGIN PRIVATE KEY-----\n', String.raw`-----BEGIN RSA PRIVATE KEY-----\n`]) {
      const input = unit.repeat(Math.ceil((1024 * 1024) / unit.length));
      const started = performance.now();
      const replaced = input.replace(pattern, '#');
      expect(performance.now() - started, JSON.stringify(unit)).toBeLessThan(GENEROUS_BOUND_MS / 2);
      expect(replaced.startsWith('##'), JSON.stringify(unit)).toBe(true);
    }
  });
});
