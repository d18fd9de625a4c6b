import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from '@entity/core';
import { type LoopbackServer, startOpenAIServer } from '@entity/test-servers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCliContext } from '../src/cli-context.js';
import { watchConfig } from '../src/watch-config.js';
import { BIN, entity, project, sharedMemoryYaml } from './helpers.js';
import { PassThrough } from 'node:stream';

const KEY = 'ent_cli_serve_test_key';
const KEYS_JSON = JSON.stringify([{ name: 'test', hash: createHash('sha256').update(KEY).digest('hex'), role: 'user', userIds: '*' }]);

interface RunningServe {
  url: string;
  stderr: () => string;
  /** Sends SIGINT and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `entity serve` and waits until it is ready for Ctrl-C (it prints that after its URL). */
function startServe(args: string[], cwd: string, env: Record<string, string>, command = 'serve'): Promise<RunningServe> {
  const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), NO_COLOR: '1', OLLAMA_HOST: 'http://127.0.0.1:1', ...env };
  delete childEnv.ENTITY_API_KEYS;
  Object.assign(childEnv, env);
  const child = spawn(process.execPath, [BIN, command, ...args], { cwd, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`entity serve did not start:\n${stderr}`));
    }, 60_000);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const match = /HTTP on (http:\/\/\S+)/.exec(stderr);
      if (match && stderr.includes('Press Ctrl-C to stop.')) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          stderr: () => stderr,
          stop: () => {
            child.kill('SIGINT');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`entity serve exited with ${code} before serving:\n${stderr}`));
    });
  });
}

describe('entity serve', () => {
  let openai: LoopbackServer;
  let memory: string;
  beforeAll(async () => {
    openai = await startOpenAIServer({});
    memory = sharedMemoryYaml(join(project({}, 'memory-'), 'db'));
  });
  afterAll(() => openai.close());

  const agentYaml = () => `name: served\nresources:\n  llm:\n    type: openai\n    model: gpt-4o-mini\n    baseURL: \${LLM_URL}\n    apiKey: sk-test\n${memory}`;

  it('serves the agent with the API keys from ENTITY_API_KEYS, prints its addresses, and stops on Ctrl-C', async () => {
    openai.reset();
    openai.respondWith({ text: 'Served over HTTP.' });
    const directory = project({ 'agent.yaml': agentYaml() });
    const served = await startServe(['--port', '0'], directory, { LLM_URL: `${openai.origin}/v1`, ENTITY_API_KEYS: KEYS_JSON });
    try {
      expect(served.stderr()).toContain(`OpenAPI ${served.url}/openapi.json`);
      expect((await fetch(`${served.url}/v1/chat`, { method: 'POST' })).status).toBe(401);
      const response = await fetch(`${served.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'served', messages: [{ role: 'user', content: 'hi' }] }),
      });
      const completion = (await response.json()) as { choices: { message: { content: string } }[] };
      expect(completion.choices[0]!.message.content).toBe('Served over HTTP.');
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('refuses to serve without API keys unless --no-auth, and --no-auth only on loopback (exit 2)', async () => {
    const directory = project({ 'agent.yaml': agentYaml() });
    const env = { LLM_URL: `${openai.origin}/v1` };
    const missing = await entity(['serve', '--port', '0'], { cwd: directory, env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('entity serve needs credentials: create a key with `entity keys create`, configure server.auth in agent.yaml, set ENTITY_API_KEYS, or pass --no-auth');
    const badJson = await entity(['serve', '--port', '0'], { cwd: directory, env: { ...env, ENTITY_API_KEYS: '[{' } });
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('ENTITY_API_KEYS is not valid JSON');
    const badKey = await entity(['serve', '--port', '0'], { cwd: directory, env: { ...env, ENTITY_API_KEYS: '[{"hash":"abc","role":"admin"}]' } });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('http.auth.apiKeys.0.hash');
    const exposed = await entity(['serve', '--port', '0', '--no-auth', '--host', '0.0.0.0'], { cwd: directory, env });
    expect(exposed.code).toBe(2);
    expect(exposed.stderr).toContain('may only bind to a loopback address');
  });

  it('serves without keys on loopback with --no-auth, and says so', async () => {
    openai.reset();
    openai.respondWith({ text: 'Open on loopback.' });
    const directory = project({ 'agent.yaml': agentYaml() });
    const served = await startServe(['--port', '0', '--no-auth'], directory, { LLM_URL: `${openai.origin}/v1` });
    try {
      expect(served.stderr()).toContain('no authentication (--no-auth)');
      const response = await fetch(`${served.url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"hi"}' });
      expect(((await response.json()) as { text: string }).text).toBe('Open on loopback.');
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('serves the WebSocket endpoint on the same port with --websocket', async () => {
    openai.reset();
    openai.respondWith({ text: 'Over WebSocket.' });
    const directory = project({ 'agent.yaml': agentYaml() });
    const served = await startServe(['--port', '0', '--no-auth', '--websocket'], directory, { LLM_URL: `${openai.origin}/v1` });
    try {
      const url = /WebSocket on (ws:\/\/\S+)/.exec(served.stderr())?.[1];
      expect(url).toBe(`${served.url.replace(/^http/, 'ws')}/v1/ws`);
      const socket = new WebSocket(url!, ['entity.v1']);
      const answer = new Promise<string>((resolve, reject) => {
        socket.onmessage = (message) => {
          const data = JSON.parse(String(message.data)) as { type: string; event?: { type: string; text: string } };
          if (data.type === 'event' && data.event!.type === 'done') resolve(data.event!.text);
          if (data.type === 'error') reject(new Error(String(message.data)));
        };
        socket.onerror = () => reject(new Error('WebSocket error'));
      });
      await new Promise((resolve) => (socket.onopen = resolve));
      socket.send(JSON.stringify({ type: 'chat', id: '1', message: 'hi' }));
      expect(await answer).toBe('Over WebSocket.');
      socket.close();
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('reads the server: section of agent.yaml (port, auth with keys from the environment, limits); flags override it', async () => {
    openai.reset();
    openai.respondWith({ text: 'Configured.' });
    const serverYaml = 'server:\n  port: 0\n  host: 127.0.0.2\n  auth:\n    apiKeys: ${MY_KEYS}\n  limits:\n    maxMessageChars: 20\n';
    const directory = project({ 'agent.yaml': `${agentYaml()}${serverYaml}` });
    const served = await startServe(['--host', '127.0.0.1'], directory, { LLM_URL: `${openai.origin}/v1`, MY_KEYS: KEYS_JSON });
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(served.stderr()).toContain('credentials from server.auth');
      const ask = (message: string) =>
        fetch(`${served.url}/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-request-id': 'cli-req-1' }, body: JSON.stringify({ message }) });
      const tooLong = await ask('x'.repeat(21));
      expect(tooLong.status).toBe(400);
      const answered = await ask('hi');
      expect(answered.headers.get('x-request-id')).toBe('cli-req-1');
      expect(((await answered.json()) as { text: string }).text).toBe('Configured.');
    } finally {
      expect(await served.stop()).toBe(0);
    }
    const misspelt = project({ 'agent.yaml': `${agentYaml()}server:\n  prot: 8080\n` });
    const refused = await entity(['serve'], { cwd: misspelt, env: { LLM_URL: `${openai.origin}/v1` } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('unknown key "prot"');
  });

  it('serves the keys of `entity keys create`, and a revoked key stops working without a restart', async () => {
    openai.reset();
    openai.respondWith({ text: 'Hello Alice.' });
    const directory = project({ 'agent.yaml': agentYaml() });
    const created = await entity(['keys', 'create', '--role', 'user', '--user', 'alice', '--json'], { cwd: directory });
    const { key, id } = JSON.parse(created.stdout) as { key: string; id: string };
    const served = await startServe(['--port', '0'], directory, { LLM_URL: `${openai.origin}/v1` });
    try {
      expect(served.stderr()).toContain(join(directory, '.entity', 'api-keys.json'));
      const chat = (userId: string) =>
        fetch(`${served.url}/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi', userId }) });
      expect((await chat('bob')).status).toBe(403);
      const answered = await chat('alice');
      expect(((await answered.json()) as { info: { userId: string } }).info.userId).toBe('alice');
      expect((await entity(['keys', 'revoke', id], { cwd: directory })).code).toBe(0);
      let status = 200;
      for (const started = Date.now(); status !== 401 && Date.now() - started < 10_000; ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        status = (await fetch(`${served.url}/v1/agent`, { headers: { authorization: `Bearer ${key}` } })).status;
      }
      expect(status).toBe(401);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('entity validate checks the server: section with @entity/plugin-http', async () => {
    const directory = project({
      'agent.yaml': `${agentYaml()}server:\n  port: 99999\n  auth:\n    jwt:\n      secret: short\n      audience: api\n`,
    });
    const result = await entity(['validate', '--json'], { cwd: directory, env: { LLM_URL: `${openai.origin}/v1` } });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { issues: { path: string; phase: string }[] };
    expect(report.issues.map((issue) => issue.path).sort()).toEqual(['server.auth.jwt.issuer', 'server.auth.jwt.secret', 'server.port']);
    const valid = project({ 'agent.yaml': `${agentYaml()}server:\n  port: 8080\n  auth: none\n` });
    expect((await entity(['validate'], { cwd: valid, env: { LLM_URL: `${openai.origin}/v1` } })).code).toBe(0);
  });

  it('entity studio serves the Studio at /studio and prints its URL; its API needs the key and masks the config', async () => {
    const directory = project({ 'agent.yaml': agentYaml() });
    const served = await startServe(['--port', '0'], directory, { LLM_URL: `${openai.origin}/v1`, ENTITY_API_KEYS: KEYS_JSON }, 'studio');
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
      expect(served.stderr()).toContain(`Studio on ${served.url}/studio/`);
      const page = await fetch(`${served.url}/studio/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect((await fetch(`${served.url}/studio-api/session`)).status).toBe(401);
      const agent = await fetch(`${served.url}/studio-api/agent`, { headers: { authorization: `Bearer ${KEY}` } });
      // A user key chats but does not read the agent's config.
      expect(agent.status).toBe(403);
      expect(await (await fetch(`${served.url}/studio-api/session`, { headers: { authorization: `Bearer ${KEY}` } })).json()).toMatchObject({ agent: 'served', canChat: true });
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('entity serve adds the Studio when server.studio is set (config shown masked), and not otherwise', async () => {
    const viewerKey = 'ent_cli_studio_viewer_key';
    const keys = JSON.stringify([{ name: 'viewer', hash: createHash('sha256').update(viewerKey).digest('hex'), role: 'viewer', userIds: '*' }]);
    const directory = project({ 'agent.yaml': `${agentYaml()}server:\n  studio: { path: /dashboard }\n` });
    const served = await startServe(['--port', '0'], directory, { LLM_URL: `${openai.origin}/v1`, ENTITY_API_KEYS: keys });
    try {
      expect(served.stderr()).toContain(`Studio on ${served.url}/dashboard/`);
      expect((await fetch(`${served.url}/dashboard/`)).status).toBe(200);
      const text = await (await fetch(`${served.url}/dashboard-api/agent`, { headers: { authorization: `Bearer ${viewerKey}` } })).text();
      expect(JSON.parse(text).config.resources.llm.apiKey).toBe('[REDACTED]');
      expect(text).not.toContain('sk-test');
    } finally {
      expect(await served.stop()).toBe(0);
    }
    const plain = await startServe(['--port', '0', '--no-auth'], project({ 'agent.yaml': agentYaml() }), { LLM_URL: `${openai.origin}/v1` });
    try {
      expect(plain.stderr()).not.toContain('Studio on');
      expect((await fetch(`${plain.url}/studio/`)).status).toBe(404);
    } finally {
      expect(await plain.stop()).toBe(0);
    }
    const invalid = project({ 'agent.yaml': `${agentYaml()}server:\n  studio: yes please\n` });
    const result = await entity(['validate', '--json'], { cwd: invalid, env: { LLM_URL: `${openai.origin}/v1` } });
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as { issues: { path: string }[] }).issues.map((issue) => issue.path)).toEqual(['server.studio']);
  });

  it('the Studio shows values from the environment as their placeholders, so a secret in any field stays off the page', async () => {
    const viewerKey = 'ent_cli_studio_viewer_key';
    const keys = JSON.stringify([{ name: 'viewer', hash: createHash('sha256').update(viewerKey).digest('hex'), role: 'viewer', userIds: '*' }]);
    // A token in a URL path (a proxy's tenant URL): no secret-named field, no credential pattern.
    const tenantUrl = `${openai.origin}/v1/tenant-Q7xPz9VwLm3K`;
    const directory = project({ 'agent.yaml': agentYaml() });
    const served = await startServe(['--port', '0'], directory, { LLM_URL: tenantUrl, ENTITY_API_KEYS: keys }, 'studio');
    try {
      const text = await (await fetch(`${served.url}/studio-api/agent`, { headers: { authorization: `Bearer ${viewerKey}` } })).text();
      expect(JSON.parse(text).config.resources.llm.baseURL).toBe('${LLM_URL}');
      expect(text).not.toContain('tenant-Q7xPz9VwLm3K');
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });

  it('rejects a bad port before loading anything (exit 2)', async () => {
    const result = await entity(['serve', '--port', 'http'], { cwd: project({ 'agent.yaml': 'name: served\n' }) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port needs a port number');
  });
});

describe('--watch hot reload (watchConfig)', () => {
  let stop = () => {};
  afterEach(() => stop());

  function waitForReload(): { promise: Promise<{ changed?: string[]; error?: unknown }>; callback: (outcome: { changed?: string[]; error?: unknown }) => void } {
    let callback!: (outcome: { changed?: string[]; error?: unknown }) => void;
    const promise = new Promise<{ changed?: string[]; error?: unknown }>((resolve) => (callback = resolve));
    return { promise, callback };
  }

  it('applies parameter changes and refuses topology changes, printing why', async () => {
    const directory = project({ 'agent.yaml': 'name: live\ninstructions: Be brief.\nmaxIterations: 3\n' });
    const file = join(directory, 'agent.yaml');
    const agent = await Agent.fromConfig(file);
    const stderr = new PassThrough();
    let notes = '';
    stderr.on('data', (chunk) => (notes += chunk));
    const cli = createCliContext({ stderr, stdout: new PassThrough(), env: { NO_COLOR: '1' } });

    let waiter = waitForReload();
    stop = watchConfig(agent, file, cli, { debounceMs: 50, onReload: (outcome) => waiter.callback(outcome) });
    writeFileSync(file, 'name: live\ninstructions: Be very brief.\nmaxIterations: 4\n');
    const applied = await waiter.promise;
    expect(applied.error).toBeUndefined();
    expect(agent.currentSettings).toMatchObject({ instructions: 'Be very brief.', maxIterations: 4 });
    expect(notes).toContain('reloaded:');

    waiter = waitForReload();
    writeFileSync(join(directory, 'extra.ts'), "export default { name: 'extra', kind: 'prompt', execute() {} };\n");
    writeFileSync(file, `${readFileSync(file, 'utf8')}plugins:\n  - ./extra.ts\n`);
    const refused = await waiter.promise;
    expect(refused.error).toBeDefined();
    expect(notes).toContain('reload refused');
    expect(notes).toMatch(/restart required/);
    expect(agent.currentSettings.maxIterations).toBe(4);
    await agent.stop();
  });
});
