import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Agent, createSecretRedactor, definePlugin, defineResource, inMemoryLogger, ProviderError, redactSecrets, validateConfig } from '../src/index.js';

const ANTHROPIC_KEY = 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
const DATABASE_URL = 'postgres://app:hunter2-Pw9@db.internal:5432/prod';
const LEAKY = `connect to ${DATABASE_URL} failed; retried with x-api-key: ${ANTHROPIC_KEY}`;

describe('secret redaction', () => {
  it('censors the credential shapes core knows, keeping the readable rest', () => {
    const redact = createSecretRedactor({ environment: {} });
    expect(redact.text(LEAKY)).toBe('connect to postgres://app:[REDACTED]@db.internal:5432/prod failed; retried with x-api-key: [REDACTED]');
    expect(redact.text('key sk-proj-AbCdEfGhIjKlMnOpQrStUv end')).toBe('key [REDACTED] end');
    expect(redact.text('Authorization: Bearer abc.def-ghi_jkl')).toBe('Authorization: Bearer [REDACTED]');
    expect(redact.text('Authorization: Basic dXNlcjpwYXNzd29yZA==')).toBe('Authorization: Basic [REDACTED]');
    expect(redact.text('GET /v1?apikey=abc123&user=ann password=s3cret!')).toBe('GET /v1?apikey=[REDACTED]&user=ann password=[REDACTED]');
    expect(redact.text('{"client_secret":"abc123","name":"x"}')).toBe('{"client_secret":"[REDACTED]","name":"x"}');
    expect(redact.text('redis://:only-a-password@cache:6379')).toBe('redis://:[REDACTED]@cache:6379');
    expect(redact.text('token AKIAIOSFODNN7EXAMPLE and ghp_abcdefghijklmnopqrstuvwxyz0123')).toBe('token [REDACTED] and [REDACTED]');
    // Ordinary text that merely mentions tokens stays as it is.
    const plain = 'used 120 inputTokens; max_tokens: 512; unexpected token } in JSON at https://api.example.com/v1';
    expect(redact.text(plain)).toBe(plain);
  });

  it('censors the values of secret-named environment variables wherever they appear', () => {
    const redact = createSecretRedactor({ environment: { MY_SERVICE_TOKEN: 'tok_live_98765', PGPASSWORD: 'Plain-pass9', DEBUG: 'verbose-mode', SHORT_KEY: 'abc' } });
    expect(redact.text('sent tok_live_98765 as Plain-pass9 in verbose-mode abc')).toBe('sent [REDACTED] as [REDACTED] in verbose-mode abc');
  });

  it('censors each credential whatever its case, quoted values whole, PEM keys whole', () => {
    const redact = createSecretRedactor({ environment: {} });
    const samples: [string, string][] = [
      ['DB_PASSWORD=hunter2hunter2', 'DB_PASSWORD=[REDACTED]'],
      ['API_KEY=abcd1234efgh', 'API_KEY=[REDACTED]'],
      ['SECRET_KEY="django-insecure-abc123"', 'SECRET_KEY="[REDACTED]"'],
      ['Password=Sup3rSecret;Host=db', 'Password=[REDACTED];Host=db'],
      ['{"Password":"Sup3rSecret","user":"app"}', '{"Password":"[REDACTED]","user":"app"}'],
      ['X-Api-Key: k3y-value-0001', 'X-Api-Key: [REDACTED]'],
      ['POSTGRES://app:s3cretpw@db/x', 'POSTGRES://app:[REDACTED]@db/x'],
      ['password="correct horse battery staple" next', 'password="[REDACTED]" next'],
      ["client_secret: 'two words'", "client_secret: '[REDACTED]'"],
      ['AUTHORIZATION: BEARER abc.def-ghi_jkl', 'AUTHORIZATION: BEARER [REDACTED]'],
    ];
    for (const [input, expected] of samples) expect(redact.text(input), input).toBe(expected);

    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
    // As a service-account JSON file carries it: the newlines are `\n` escapes inside one string.
    const pem = String.raw`-----BEGIN PRIVATE KEY-----\n${body}\n${body}\n-----END PRIVATE KEY-----\n`;
    const json = redact.text(`{"type":"service_account","private_key":"${pem}","client_email":"x@y.iam"}`);
    expect(json).not.toContain(body.slice(0, 20));
    expect(json).toContain('"client_email":"x@y.iam"');
    expect(json).toContain('"private_key":"[REDACTED]"');
    const multiline = redact.text(`key:\n-----BEGIN RSA PRIVATE KEY-----\n${body}\n${body}\n-----END RSA PRIVATE KEY-----\ndone`);
    expect(multiline).toBe('key:\n-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----\ndone');
  });

  it('censors a Basic credential after an Authorization header name whatever it looks like; elsewhere only base64-looking ones', () => {
    const redact = createSecretRedactor({ environment: {} });
    const samples: [string, string][] = [
      // `user:pass`: no digit, `+`, `/` or `=` in it.
      ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic [REDACTED]'],
      ['authorization:basic YWxpY2U6c2VjcmV0', 'authorization:basic [REDACTED]'],
      ['Proxy-Authorization: Basic YWRtaW46YWRtaW4', 'Proxy-Authorization: Basic [REDACTED]'],
      ['{"Authorization":"Basic dXNlcjpwYXNz","x":1}', '{"Authorization":"Basic [REDACTED]","x":1}'],
      ['curl -H "Authorization: Basic dXNlcjpwYXNz" https://api', 'curl -H "Authorization: Basic [REDACTED]" https://api'],
      // Without the header name: a base64-looking credential of 12 characters or more.
      ['sent basic dXNlcjpwYXNzd29yZA== upstream', 'sent basic [REDACTED] upstream'],
      ['retry with Basic dXNlcjpwYXNz', 'retry with Basic [REDACTED]'],
    ];
    for (const [input, expected] of samples) expect(redact.text(input), input).toBe(expected);
    const prose = 'Basic authentication is off; basic settings apply; BASIC SETTINGS; the bearer of bad news';
    expect(redact.text(prose)).toBe(prose);
  });

  it('censors the whole body of a PEM key that follows PRIVATE_KEY= or private_key: (.env and YAML forms)', () => {
    const redact = createSecretRedactor({ environment: {} });
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
    const block = `-----BEGIN PRIVATE KEY-----\n${body}\n${body}\n-----END PRIVATE KEY-----`;
    const forms = [
      `PRIVATE_KEY=${block}\nNEXT=1`,
      `private_key: ${block}\nnext: 1`,
      `ssh_private_key:\n${block}\nnext: 1`,
      `API_KEY=-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`,
      // Escaped newlines, as a one-line .env value carries them.
      `PRIVATE_KEY=${block.replaceAll('\n', String.raw`\n`)}`,
      // An encrypted key's header lines are part of the body too.
      `private_key: -----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\n${body}\n-----END RSA PRIVATE KEY-----`,
    ];
    for (const form of forms) {
      const output = redact.text(form);
      expect(output, form).not.toContain(body.slice(0, 12));
      expect(output, form).not.toContain('3F17F5316E2BAC89');
      expect(output, form).toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----\[REDACTED\]-----END [A-Z ]*PRIVATE KEY-----/);
    }
    expect(redact.text(`PRIVATE_KEY=${block}\nNEXT=1`)).toBe('PRIVATE_KEY=-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----\nNEXT=1');
  });

  it('matches vendor tokens in their own case only, and censors 6-7 character environment values with a digit or symbol', () => {
    const redact = createSecretRedactor({ environment: { DB_PASSWORD: 'Pa55w0r', API_TOKEN: 'x!y#z1', PLAIN_SECRET: 'Secret', SHORT_KEY: 'ab1' } });
    const ordinary = 'regions: Asiapacificregions12 asia0123456789abcdef SK-1234567890ABCDEFGH GHP_abcdefghijklmnopqrstuvwxyz0123 Secret';
    expect(redact.text(ordinary)).toBe(ordinary);
    expect(redact.text('key ASIA0123456789ABCDEF and sk-1234567890abcdefgh')).toBe('key [REDACTED] and [REDACTED]');
    expect(redact.text('login with Pa55w0r, then x!y#z1, not ab1')).toBe('login with [REDACTED], then [REDACTED], not ab1');
  });

  it('leaves ordinary words alone: short or plain-word environment values, prose about tokens', () => {
    // The documented development set-up: these values are words that appear in ordinary log lines.
    const redact = createSecretRedactor({ environment: { POSTGRES_PASSWORD: 'postgres', PGPASSWORD: 'entity', OPENAI_API_KEY: 'ollama', REAL_TOKEN: 'tok3n-Value-77' } });
    const prose = 'could not connect to postgres at db:5432; install @entity/logging; run ollama serve; postgresql is up';
    expect(redact.text(prose)).toBe(prose);
    expect(redact.text('the token: expired, basic settings, password: wrong')).toBe('the token: expired, basic settings, password: wrong');
    // Whole tokens only: a secret value inside a longer word is a different word.
    expect(redact.text('sent tok3n-Value-77 and tok3n-Value-77x')).toBe('sent [REDACTED] and tok3n-Value-77x');
    // A value that looks like a credential is still censored.
    expect(redact.text('the token: abc123, password: longenough')).toBe('the token: [REDACTED], password: [REDACTED]');
  });

  it('reads process.env at call time, so keys set later are covered', () => {
    vi.stubEnv('LATE_API_KEY', 'late-value-1234');
    try {
      expect(redactSecrets('the key is late-value-1234')).toBe('the key is [REDACTED]');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('redacts fields copy-on-write: secret names whole, strings scrubbed, errors made plain', () => {
    const redact = createSecretRedactor({ environment: {} });
    const clean = { runId: 'r1', usage: { inputTokens: 3 } };
    expect(redact.fields(clean)).toBe(clean);
    const error = Object.assign(new Error(LEAKY), { code: 'E_CONNECT' });
    const fields = { headers: { Authorization: 'anything', accept: 'json' }, openaiApiKey: 'x', error, note: DATABASE_URL };
    const result = redact.fields(fields) as unknown as { headers: unknown; openaiApiKey: string; error: { stack: string }; note: string };
    expect(result.headers).toEqual({ Authorization: '[REDACTED]', accept: 'json' });
    expect(result.openaiApiKey).toBe('[REDACTED]');
    expect(result.error).toMatchObject({ type: 'Error', code: 'E_CONNECT', message: expect.not.stringContaining('hunter2') });
    expect(String(result.error.stack)).not.toContain(ANTHROPIC_KEY);
    expect(result.note).toBe('postgres://app:[REDACTED]@db.internal:5432/prod');
    expect(fields.openaiApiKey).toBe('x');
  });
});

describe('what leaves the engine is redacted', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const failing = definePlugin({
    name: 'provider-call',
    kind: 'prompt',
    execute() {
      throw new ProviderError('anthropic', `401 from api.anthropic.com: invalid x-api-key ${ANTHROPIC_KEY}`, { status: 401 });
    },
  });
  const crashing = definePlugin({
    name: 'database-call',
    kind: 'prompt',
    execute() {
      throw new Error(LEAKY);
    },
  });

  it('the fallback logger (no @entity/logging) writes the failure to stderr with secrets censored', async () => {
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, plugins: [crashing] });
    await agent.chat('hi');
    await agent.stop();
    const stderr = written.join('');
    expect(stderr).toContain('Plugin "database-call" failed in THINK');
    expect(stderr).toContain('postgres://app:[REDACTED]@db.internal:5432/prod');
    expect(stderr).not.toContain('hunter2');
    expect(stderr).not.toContain(ANTHROPIC_KEY);
  });

  it('an in-memory logger keeps the detail, redacted, message and fields alike', async () => {
    const logging = inMemoryLogger({ echoLevel: false });
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, resources: { logging }, plugins: [crashing] });
    await agent.chat('hi');
    await agent.stop();
    const entry = logging.entries.find((candidate) => candidate.level === 'error')!;
    expect(entry.message).toContain('connect to postgres://app:[REDACTED]@db.internal');
    expect(JSON.stringify(logging.entries)).not.toContain('hunter2');
    expect(JSON.stringify(logging.entries)).not.toContain(ANTHROPIC_KEY);
  });

  it('RunInfo.failure gives the caller safe text and a stable code, never the raw error', async () => {
    const logging = inMemoryLogger({ echoLevel: false });
    const providerAgent = new Agent({ defaultWorkflow: false, zeroConfig: false, resources: { logging }, plugins: [failing] });
    const provider = await providerAgent.chat('hi');
    await providerAgent.stop();
    expect(provider.info.failure).toEqual({
      stage: 'THINK',
      plugin: 'provider-call',
      errorType: 'PROVIDER_ERROR',
      code: 'PROVIDER_ERROR',
      message: 'Sorry, something went wrong while handling your message. Please try again.',
    });
    const plainAgent = new Agent({ defaultWorkflow: false, zeroConfig: false, resources: { logging }, plugins: [crashing] });
    const plain = await plainAgent.chat('hi');
    await plainAgent.stop();
    expect(plain.info.failure).toMatchObject({ errorType: 'Error', code: 'UNEXPECTED_ERROR', message: expect.stringMatching(/^Sorry/) });
    expect(JSON.stringify([provider.info, plain.info])).not.toMatch(/hunter2|sk-ant/);
  });
});

describe('validation reports', () => {
  it('censor secrets in problems built from errors (resource creation, health checks)', async () => {
    const database = defineResource({
      type: 'leaky-db',
      packageName: 'test',
      configSchema: z.object({ url: z.string(), fail: z.boolean() }).strict(),
      create: ({ url, fail }) => {
        if (fail) throw new Error(`cannot parse ${url}`);
        return { healthCheck: async () => ({ healthy: false, message: `cannot reach ${url}` }) };
      },
    });
    const created = await validateConfig({ resources: { db: { type: 'leaky-db', url: DATABASE_URL, fail: true } } }, { resourceTypes: [database] });
    const health = await validateConfig({ resources: { db: { type: 'leaky-db', url: DATABASE_URL, fail: false } } }, { resourceTypes: [database], runtime: true });
    expect(created.issues[0]?.message).toBe('could not be created: cannot parse postgres://app:[REDACTED]@db.internal:5432/prod');
    expect(health.issues[0]?.message).toBe('cannot reach postgres://app:[REDACTED]@db.internal:5432/prod');
  });
});

describe('error text that reaches callers is redacted', () => {
  const quietAgent = (options: ConstructorParameters<typeof Agent>[0]) =>
    new Agent({ defaultWorkflow: false, zeroConfig: false, ...options, resources: { logging: inMemoryLogger({ echoLevel: false }), ...options?.resources } });

  it('a plugin init failure: chat() rejects with the URL password censored', async () => {
    const database = definePlugin({
      name: 'db',
      kind: 'prompt',
      init() {
        throw new Error(`connect failed: ${DATABASE_URL}`);
      },
      execute() {},
    });
    const agent = quietAgent({ plugins: [database] });
    const error = (await agent.chat('hi').catch((caught: unknown) => caught)) as Error;
    await agent.stop();
    expect(error.message).toBe('Plugin "db" failed to initialise: connect failed: postgres://app:[REDACTED]@db.internal:5432/prod');
  });

  it('a resource start failure: the ResourceError message has the URL password censored', async () => {
    const agent = quietAgent({
      resources: {
        store: {
          start() {
            throw new Error(`cannot reach ${DATABASE_URL}`);
          },
        },
      },
    });
    const error = (await agent.start().catch((caught: unknown) => caught)) as Error;
    expect(error.message).toBe('Resource "store" failed to start: cannot reach postgres://app:[REDACTED]@db.internal:5432/prod');
  });

  it('a plugin module that throws an Entity error or ConfigError with a secret in it at import', async () => {
    // Inside this package, so the module can import @entity/core (git-ignored folder).
    mkdirSync(join(import.meta.dirname, '.generated'), { recursive: true });
    const folder = mkdtempSync(join(import.meta.dirname, '.generated', 'leaky-module-'));
    writeFileSync(join(folder, 'config-error.mjs'), `import { ConfigError } from '@entity/core';\nthrow new ConfigError([{ path: 'db', message: 'cannot reach ${DATABASE_URL}', fix: 'set DB_PASSWORD=hunter2-Pw9 in .env' }]);\n`);
    writeFileSync(join(folder, 'entity-error.mjs'), `import { ResourceError } from '@entity/core';\nthrow new ResourceError('db', 'cannot reach ${DATABASE_URL}');\n`);
    const report = await validateConfig({ defaultWorkflow: false, plugins: ['./config-error.mjs', './entity-error.mjs'] }, { baseDir: folder });
    expect(report.issues.map((issue) => issue.message)).toEqual([
      'cannot reach postgres://app:[REDACTED]@db.internal:5432/prod',
      'cannot reach postgres://app:[REDACTED]@db.internal:5432/prod',
    ]);
    expect(JSON.stringify(report.issues)).not.toContain('hunter2');
  });

  it('a hot reload a resource refuses: the ConfigError has the resource\'s text censored', async () => {
    const sloppy = defineResource({
      type: 'sloppy',
      packageName: 'test',
      configSchema: z.object({ url: z.string() }).strict(),
      create: () => ({
        reconfigure(next: unknown) {
          throw new Error(`will not switch to ${(next as { url: string }).url}`);
        },
      }),
    });
    const quiet = defineResource({ type: 'quiet', packageName: 'test', configSchema: z.object({}).strict(), create: () => inMemoryLogger({ echoLevel: false }) });
    const agent = await Agent.fromConfig({ defaultWorkflow: false, resources: { db: { type: 'sloppy', url: 'postgres://app:old-pass-1@db/x' }, logging: { type: 'quiet' } } }, { resourceTypes: [sloppy, quiet] });
    await agent.start();
    const error = (await agent.reload({ defaultWorkflow: false, resources: { db: { type: 'sloppy', url: DATABASE_URL }, logging: { type: 'quiet' } } }).catch((caught: unknown) => caught)) as Error;
    await agent.stop();
    expect(error.message).toContain('refused the new parameters: will not switch to postgres://app:[REDACTED]@db.internal:5432/prod');
    expect(error.message).not.toMatch(/hunter2|old-pass/);
  });
});

describe("core's own log lines are redacted at the source", () => {
  it('a logger that does not redact (its own, or redact: false) still never receives the secret', async () => {
    // Stands for any installed logger: core must not rely on it to censor core's lines.
    const logging = inMemoryLogger({ echoLevel: false, redact: false });
    const failingErrorStage = definePlugin({
      name: 'apology',
      kind: 'failure',
      execute() {
        throw new Error(`could not apologise via ${DATABASE_URL}`);
      },
    });
    const closing = definePlugin({
      name: 'closing',
      kind: 'prompt',
      init() {},
      shutdown() {
        throw new Error(`close failed for ${DATABASE_URL}`);
      },
      execute() {
        throw new ProviderError('anthropic', `401: invalid x-api-key ${ANTHROPIC_KEY} at ${DATABASE_URL}`);
      },
    });
    const agent = new Agent({ defaultWorkflow: false, zeroConfig: false, resources: { logging }, plugins: [closing, failingErrorStage] });
    await agent.chat('hi');
    await agent.stop();
    const lines = logging.entries.filter((entry) => entry.level === 'error' || entry.level === 'warn');
    expect(lines.map((entry) => entry.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Plugin "closing" failed in THINK: 401: invalid x-api-key [REDACTED] at postgres://app:[REDACTED]@'),
        expect.stringContaining('The ERROR stage itself failed: could not apologise via postgres://app:[REDACTED]@'),
        expect.stringContaining('Plugin "closing" failed to shut down: close failed for postgres://app:[REDACTED]@'),
      ]),
    );
    expect(JSON.stringify(logging.entries)).not.toMatch(/hunter2|sk-ant/);
  });
});
