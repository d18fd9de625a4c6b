import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startOpenAIServer } from '@entity/test-servers';
import { describe, expect, it } from 'vitest';
import { entity, project } from './helpers.js';

// Every relative path of a config belongs to the config's folder, like plugin paths and `.env`:
// running the same config from another folder must reach the same database, files and logs.
const CONFIG = `resources:
  memory:
    type: pglite
    path: ./data/memory
  storage:
    type: local
    root: ./files
  logging:
    type: logging
    file:
      path: ./logs/agent.jsonl
`;

describe('relative paths in a config', () => {
  it('resolve from the config file\'s folder, not the working directory (entity validate --runtime sub/agent.yaml)', async () => {
    const directory = project({ 'sub/agent.yaml': CONFIG });
    const result = await entity(['validate', '--runtime', 'sub/agent.yaml'], { cwd: directory, timeoutMs: 120_000 });
    expect(result.stdout).toContain('Valid.');
    expect(result.code).toBe(0);
    expect(existsSync(join(directory, 'sub', 'data', 'memory'))).toBe(true);
    expect(existsSync(join(directory, 'sub', 'files'))).toBe(true);
    expect(existsSync(join(directory, 'sub', 'logs'))).toBe(true);
    for (const misplaced of ['data', 'files', 'logs']) expect(existsSync(join(directory, misplaced))).toBe(false);
  }, 150_000);

  it('entity run sub/agent.yaml from another folder writes the same database as a run inside sub/', async () => {
    const server = await startOpenAIServer({});
    try {
      const config = `resources:\n  llm:\n    type: openai\n    model: gpt-4o-mini\n    baseURL: ${server.baseURL}\n    apiKey: sk-test\n  memory:\n    type: pglite\n    path: ./data/memory\n`;
      const directory = project({ 'sub/agent.yaml': config });
      const fromOutside = await entity(['run', 'sub/agent.yaml', 'hello'], { cwd: directory, timeoutMs: 120_000 });
      expect(fromOutside.code).toBe(0);
      expect(existsSync(join(directory, 'sub', 'data', 'memory'))).toBe(true);
      expect(existsSync(join(directory, 'data'))).toBe(false);
      const fromInside = await entity(['run', 'agent.yaml', 'hello again'], { cwd: join(directory, 'sub'), timeoutMs: 120_000 });
      expect(fromInside.code).toBe(0);
      expect(existsSync(join(directory, 'sub', 'sub'))).toBe(false);
    } finally {
      await server.close();
    }
  }, 250_000);

  it('with no memory configured, the zero-config database also lives beside the config (entity run sub/agent.yaml)', async () => {
    const server = await startOpenAIServer({});
    try {
      const config = `resources:\n  llm:\n    type: openai\n    model: gpt-4o-mini\n    baseURL: ${server.baseURL}\n    apiKey: sk-test\n`;
      const directory = project({ 'sub/agent.yaml': config });
      const result = await entity(['run', 'sub/agent.yaml', 'hello'], { cwd: directory, timeoutMs: 120_000 });
      expect(result.code).toBe(0);
      expect(existsSync(join(directory, 'sub', '.entity', 'memory'))).toBe(true);
      expect(existsSync(join(directory, '.entity', 'memory'))).toBe(false);
    } finally {
      await server.close();
    }
  }, 150_000);

  it('defaults of pglite and local storage also live beside the config', async () => {
    const directory = project({ 'sub/agent.yaml': 'resources:\n  memory:\n    type: pglite\n  storage:\n    type: local\n' });
    const result = await entity(['validate', '--runtime', 'sub/agent.yaml'], { cwd: directory, timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    expect(existsSync(join(directory, 'sub', '.entity', 'memory'))).toBe(true);
    expect(existsSync(join(directory, 'sub', 'agent_files'))).toBe(true);
    expect(existsSync(join(directory, '.entity'))).toBe(false);
    expect(existsSync(join(directory, 'agent_files'))).toBe(false);
  }, 150_000);
});

// `entity init` projects keep the key in `.env` and write no placeholder for it: the providers
// read OPENAI_API_KEY / OPENAI_BASE_URL from the environment, so the CLI must put `.env` there.
describe('the .env beside the config', () => {
  it('gives the provider its key and base URL (entity run, validate and doctor from another folder); the environment wins', async () => {
    const server = await startOpenAIServer({});
    server.respondWith({ text: 'from the loopback model' });
    try {
      const directory = project({
        'sub/agent.yaml': 'resources:\n  llm:\n    type: openai\n    model: gpt-4o-mini\n',
        'sub/.env': `OPENAI_API_KEY=sk-from-dotenv\nOPENAI_BASE_URL=${server.baseURL}\n`,
      });
      const env = { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined };
      const run = await entity(['run', 'sub/agent.yaml', 'hello'], { cwd: directory, env, timeoutMs: 120_000 });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('from the loopback model');
      expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer sk-from-dotenv');
      const validate = await entity(['validate', 'sub/agent.yaml'], { cwd: directory, env, timeoutMs: 120_000 });
      expect(validate.code, validate.stdout + validate.stderr).toBe(0);
      const doctor = await entity(['doctor', '--json'], { cwd: join(directory, 'sub'), env, timeoutMs: 120_000 });
      const checks = JSON.parse(doctor.stdout).checks as { id: string; status: string }[];
      expect(checks.find((check) => check.id === 'model')?.status).toBe('ok');
      const overridden = await entity(['run', 'sub/agent.yaml', 'hello'], { cwd: directory, env: { OPENAI_API_KEY: 'sk-from-environment', OPENAI_BASE_URL: undefined }, timeoutMs: 120_000 });
      expect(overridden.code, overridden.stderr).toBe(0);
      expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer sk-from-environment');
    } finally {
      await server.close();
    }
  }, 300_000);
});
