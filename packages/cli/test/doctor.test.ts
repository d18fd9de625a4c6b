import { connect } from 'node:net';
import { type OllamaTestServer, startOllamaServer } from '@entity/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNode } from '../src/doctor/system-checks.js';
import { entity, project, TERMINAL_CONTROL, withoutOwnColour } from './helpers.js';

interface Check {
  id: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  message: string;
  fix?: string;
}

async function doctor(args: string[], env: Record<string, string | undefined> = {}, cwd = project()) {
  const result = await entity(['doctor', '--json', ...args], { cwd, env: { ENTITY_DOCTOR_TIMEOUT_MS: '3000', ...env } });
  const report = JSON.parse(result.stdout) as { ok: boolean; checks: Check[] };
  return { code: result.code, report, check: (id: string) => report.checks.find((check) => check.id === id)! };
}

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function postgresReachable(): Promise<boolean> {
  const url = new URL(DATABASE_URL);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 5432) });
    const done = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => resolve(false));
  });
}

describe('entity doctor', () => {
  let ollama: OllamaTestServer;
  beforeAll(async () => {
    ollama = await startOllamaServer({ models: ['llama3.2:3b', 'nomic-embed-text'] });
  });
  afterAll(() => ollama.close());

  it('nothing available: Ollama unreachable and no keys → the model check fails with what to do, exit 1', async () => {
    const { code, check } = await doctor([]);
    expect(code).toBe(1);
    expect(check('ollama')).toMatchObject({ status: 'warn', message: 'not reachable at http://127.0.0.1:1' });
    expect(check('ollama').fix).toContain('ollama serve');
    expect(check('api-keys').status).toBe('skip');
    expect(check('model')).toMatchObject({ status: 'fail' });
    expect(check('model').fix).toContain('ollama pull llama3.2:3b');
    expect(check('model').fix).toContain('OPENAI_API_KEY');
    expect(check('database').status).toBe('skip');
    expect(check('node').status).toBe('ok');
  });

  it('Ollama with a chat model → every required check passes, exit 0; the text report shows it', async () => {
    ollama.models = ['llama3.2:3b', 'nomic-embed-text'];
    const { code, check } = await doctor(['--ollama-host', ollama.origin]);
    expect(check('ollama')).toMatchObject({ status: 'ok', message: `running at ${ollama.origin}; models: llama3.2:3b, nomic-embed-text:latest` });
    expect(check('model')).toMatchObject({ status: 'ok', message: 'Ollama llama3.2:3b' });
    expect(code).toBe(0);
    const text = await entity(['doctor'], { cwd: project(), env: { OLLAMA_HOST: ollama.origin } });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/✔ Ollama\s+running at/);
    expect(text.stdout).toContain('All required checks passed');
  });

  it('Ollama running without a chat model → pull suggestion; an API key makes the model check pass', async () => {
    ollama.models = ['nomic-embed-text'];
    const withoutKey = await doctor([], { OLLAMA_HOST: ollama.origin });
    expect(withoutKey.check('ollama')).toMatchObject({ status: 'warn', fix: 'ollama pull llama3.2:3b' });
    expect(withoutKey.check('ollama').message).toContain('no chat model is installed (only nomic-embed-text:latest)');
    expect(withoutKey.code).toBe(1);
    const openai = await doctor([], { OLLAMA_HOST: ollama.origin, OPENAI_API_KEY: 'sk-test' });
    expect(openai.check('model')).toMatchObject({ status: 'ok', message: 'OpenAI (OPENAI_API_KEY)' });
    expect(openai.check('api-keys')).toMatchObject({ status: 'ok', message: 'OPENAI_API_KEY set' });
    expect(openai.code).toBe(0);
    const anthropic = await doctor([], { ANTHROPIC_API_KEY: 'sk-ant-test' });
    expect(anthropic.check('model').message).toBe('Anthropic (ANTHROPIC_API_KEY)');
    ollama.models = ['llama3.2:3b'];
  });

  it('database: an unreachable port and a missing database fail with the fix; the password never appears', async () => {
    const refused = await doctor(['--database-url', 'postgres://postgres:s3cret@127.0.0.1:1/entity'], { OPENAI_API_KEY: 'sk-test' });
    expect(refused.code).toBe(1);
    expect(refused.check('database')).toMatchObject({ status: 'fail', message: 'cannot connect to 127.0.0.1:1/entity: connection refused' });
    expect(refused.check('database').fix).toContain('scripts/ensure-postgres.sh');
    expect(JSON.stringify(refused.report)).not.toContain('s3cret');
    const notUrl = await doctor([], { DATABASE_URL: 'mysql://localhost/x', OPENAI_API_KEY: 'sk-test' });
    expect(notUrl.check('database')).toMatchObject({ status: 'fail', message: 'DATABASE_URL is not a postgres:// URL' });
  });

  it('database: a URL whose parts cannot be decoded fails the check with the fix, never echoing the URL', async () => {
    const { code, report, check } = await doctor(['--database-url', 'postgres://agent:s3cret@127.0.0.1:1/%E0%A4%A'], { OPENAI_API_KEY: 'sk-test' });
    expect(code).toBe(1);
    expect(check('database')).toMatchObject({ status: 'fail', message: expect.stringMatching(/malformed percent-escape/) });
    expect(check('database').fix).toMatch(/%XX/);
    expect(JSON.stringify(report)).not.toContain('s3cret');
  });

  it('database: a reachable PostgreSQL reports pgvector', async () => {
    if (!(await postgresReachable())) {
      if (process.env.CI) throw new Error(`PostgreSQL is not reachable at ${new URL(DATABASE_URL).host}; start it with scripts/ensure-postgres.sh`);
      return;
    }
    const { check } = await doctor(['--database-url', DATABASE_URL], { OPENAI_API_KEY: 'sk-test' });
    expect(check('database').status).toBe('ok');
    expect(check('database').message).toMatch(/reachable; pgvector \d+\.\d+/);
    const missing = new URL(DATABASE_URL);
    missing.pathname = '/entity_doctor_no_such_db';
    const noDatabase = await doctor(['--database-url', missing.toString()], { OPENAI_API_KEY: 'sk-test' });
    expect(noDatabase.check('database')).toMatchObject({ status: 'fail', fix: 'createdb entity_doctor_no_such_db' });
  });

  it('storage and memory folders that cannot be written fail; an invalid agent.yaml fails the config check', async () => {
    const directory = project({ 'blocked': 'a file, not a folder', 'agent.yaml': 'nmae: typo\n' });
    const { code, check } = await doctor(['--storage-dir', 'blocked', '--memory-dir', 'blocked/memory'], { OPENAI_API_KEY: 'sk-test' }, directory);
    expect(code).toBe(1);
    expect(check('storage')).toMatchObject({ status: 'fail', message: 'blocked exists but is not a directory' });
    expect(check('memory-dir')).toMatchObject({ status: 'fail', message: 'blocked/memory cannot be created: blocked is a file' });
    expect(check('config').status).toBe('fail');
    expect(check('config').message).toContain('unknown key "nmae"');
    const fine = await doctor(['--storage-dir', 'files/new'], { OPENAI_API_KEY: 'sk-test' });
    expect(fine.check('storage')).toMatchObject({ status: 'ok', message: 'files/new will be created on first use' });
  });

  it('Node older than 22.12 fails with the upgrade step', () => {
    expect(checkNode('20.19.0')).toMatchObject({ status: 'fail', fix: expect.stringContaining('Node 24') });
    expect(checkNode('22.11.0').status).toBe('fail');
    expect(checkNode('22.12.0').status).toBe('ok');
  });

  it('never writes what a server answered raw to the terminal (Ollama model names)', async () => {
    ollama.models = ['llama3.2:3b', 'evil\u001b]0;PWNED\u0007\u001b[2J\rmodel\u202e'];
    try {
      const text = await entity(['doctor'], { cwd: project(), env: { OLLAMA_HOST: ollama.origin, FORCE_COLOR: '1' } });
      const shown = withoutOwnColour(text.stdout);
      expect(shown).toContain('evilmodel');
      expect(shown).not.toMatch(TERMINAL_CONTROL);
    } finally {
      ollama.models = ['llama3.2:3b'];
    }
  });
});
