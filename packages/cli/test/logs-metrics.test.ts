import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pgliteMemory } from '@entity/resources-memory';
import { type LoopbackServer, startOpenAIServer } from '@entity/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, entity, hasStackTrace, project } from './helpers.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these characters
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the CLI's own colour codes
const OWN_COLOUR = /\u001b\[[0-9;]*m/g;

describe('entity logs / entity metrics of past runs', () => {
  let openai: LoopbackServer;
  let directory: string;

  beforeAll(async () => {
    openai = await startOpenAIServer({});
    openai.respondWith({ text: 'logged answer' });
    directory = project({
      'agent.yaml': `name: observed
resources:
  llm:
    type: openai
    model: gpt-4o-mini
    baseURL: \${LLM_URL}
    apiKey: sk-test
  memory:
    type: pglite
    path: ./.entity/memory
    embedder: hashing
  logging:
    type: logging
    console: false
    file: true
  metrics:
    type: metrics
`,
    });
    for (const message of ['first', 'second']) {
      const result = await entity(['run', message, '--user', message === 'first' ? 'ada' : 'bob'], { cwd: directory, env: { LLM_URL: `${openai.origin}/v1` } });
      expect(result.code, result.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(() => openai.close());

  it('logs prints the recent entries of the rotated JSON Lines files; --json passes them through; --level filters', async () => {
    const text = await entity(['logs'], { cwd: directory });
    expect(text.code).toBe(0);
    const runs = text.stdout.split('\n').filter((line) => line.includes('run completed'));
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO\s+\[pipeline\] run completed in [\d.]+ ms .*userId=ada/);
    const json = await entity(['logs', '--json', '-n', '1'], { cwd: directory });
    const lines = json.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: expect.stringContaining('run completed'), userId: 'bob' });
    const errors = await entity(['logs', '--level', 'error'], { cwd: directory });
    expect(errors.stdout).toBe('');
    expect((await entity(['logs', '--level', 'loud'], { cwd: directory })).code).toBe(2);
  });

  it('logs --follow prints entries written after it started', async () => {
    const follower = spawn(process.execPath, [BIN, 'logs', '--follow', '--json', '-n', '1'], { cwd: directory, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    follower.stdout.on('data', (chunk) => (output += chunk));
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const result = await entity(['run', 'third', '--user', 'cy'], { cwd: directory, env: { LLM_URL: `${openai.origin}/v1` } });
      expect(result.code).toBe(0);
      const deadline = Date.now() + 10_000;
      while (!output.includes('"userId":"cy"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(output).toContain('"userId":"cy"');
    } finally {
      follower.kill('SIGINT');
    }
  });

  it('logs never passes terminal control sequences through, as text or as --json', async () => {
    const hostile = 'model said\u001b[2J\u001b]0;pwned\u0007 hi\r over\u009b1;1H \u202egnp.exe\ttab';
    // As @entity/logging writes it: JSON escapes the C0 controls, C1 and bidi characters stay raw.
    const line = JSON.stringify({ level: 30, time: new Date().toISOString(), msg: hostile, component: 'plugin\u001b[1A', reply: hostile });
    const directory = project({ '.entity/logs/entity.jsonl': `${line}\n` });
    const text = await entity(['logs'], { cwd: directory, env: { FORCE_COLOR: '1' } });
    expect(text.code).toBe(0);
    expect(text.stdout.replace(OWN_COLOUR, '')).not.toMatch(TERMINAL_CONTROL);
    expect(text.stdout.replace(OWN_COLOUR, '')).toContain('[plugin] model said hi over gnp.exe\ttab');
    const json = await entity(['logs', '--json'], { cwd: directory });
    expect(json.stdout).not.toMatch(TERMINAL_CONTROL);
    // Escaped, not changed: the line still parses to the same entry.
    expect(JSON.parse(json.stdout)).toMatchObject({ msg: hostile, reply: hostile });
  });

  it('no log files: says how to turn the file output on, exit 1', async () => {
    const result = await entity(['logs'], { cwd: project() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No log files at .entity/logs/entity.jsonl');
    expect(result.stderr).toContain('file: true');
  });

  it('metrics summarises the runs the metrics resource stored in the memory database', async () => {
    const env = { LLM_URL: `${openai.origin}/v1` };
    const result = await entity(['metrics', '--json'], { cwd: directory, env });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.runs).toMatchObject({ count: 3, users: 3, errors: 0 });
    expect(summary.plugins.map((plugin: { plugin: string }) => plugin.plugin)).toContain('entity:chat');
    const ada = JSON.parse((await entity(['metrics', '--json', '--user', 'ada'], { cwd: directory, env })).stdout);
    expect(ada.runs.count).toBe(1);
    const text = await entity(['metrics'], { cwd: directory, env });
    expect(text.stdout).toMatch(/Runs 3 · users 3 · errors 0/);
    expect(text.stdout).toMatch(/THINK\s+entity:chat\s+3\s+0/);
    expect((await entity(['metrics', '--hours', 'zero'], { cwd: directory, env })).code).toBe(2);
  });

  it('metrics only reads: stored events older than the default retention survive it', async () => {
    type Database = { sql<Row>(query: string, params?: unknown[]): Promise<{ rows: Row[] }> };
    const withDatabase = async <T>(work: (database: Database) => Promise<T>): Promise<T> => {
      const memory = pgliteMemory({ path: join(directory, '.entity/memory'), embedder: 'hashing' }) as unknown as {
        database: Database;
        start(): Promise<void>;
        stop(): Promise<void>;
      };
      await memory.start();
      try {
        return await work(memory.database);
      } finally {
        await memory.stop();
      }
    };
    await withDatabase(async (database) => {
      await database.sql(`INSERT INTO entity_metric_events (kind, name, started_at, run_id, user_id, duration_ms, success) VALUES ('run', 'run', now() - interval '30 days', 'last-month', 'old', 5, true)`);
      // A memory start records its embedder here: a reader must leave the row missing.
      await database.sql(`DELETE FROM entity_memory_settings WHERE name = 'embedder'`);
    });
    const result = await entity(['metrics', '--json', '--hours', String(24 * 40), '--user', 'old'], { cwd: directory, env: { LLM_URL: `${openai.origin}/v1` } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).runs.count).toBe(1);
    const reader = pgliteMemory({ path: join(directory, '.entity/memory'), embedder: 'hashing' });
    await reader.startReadOnly();
    try {
      const kept = await reader.database.sql<{ count: number }>(`SELECT count(*)::int AS count FROM entity_metric_events WHERE run_id = 'last-month'`);
      expect(kept.rows[0]!.count).toBe(1);
      const embedder = await reader.database.sql(`SELECT 1 FROM entity_memory_settings WHERE name = 'embedder'`);
      expect(embedder.rowCount, 'entity metrics wrote the embedder record').toBe(0);
    } finally {
      await reader.stop();
    }
  });

  it('metrics on a project with no memory database yet: no runs, and nothing is created', async () => {
    const configured = project({ 'agent.yaml': 'name: fresh\nresources:\n  memory:\n    type: pglite\n    path: ./.entity/memory\n    embedder: hashing\n' });
    const result = await entity(['metrics', '--json'], { cwd: configured });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).runs.count).toBe(0);
    expect(result.stderr).toMatch(/There is no PGlite memory at \S*\.entity\/memory yet/);
    expect(existsSync(join(configured, '.entity'))).toBe(false);
    // Without a config: the zero-config memory folder is not created either.
    const bare = project();
    const text = await entity(['metrics'], { cwd: bare });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('No runs recorded');
    expect(existsSync(join(bare, '.entity'))).toBe(false);
  });

  it('metrics while the agent runs (its PGlite folder locked by another process) names the lock and the ways to read metrics', async () => {
    // This test process plays the running agent: it holds the project's PGlite folder.
    const agent = pgliteMemory({ path: join(directory, '.entity/memory'), embedder: 'hashing' });
    await agent.start();
    try {
      const result = await entity(['metrics'], { cwd: directory, env: { LLM_URL: `${openai.origin}/v1` } });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`in use by process ${process.pid}`);
      expect(result.stderr).toContain('.entity/memory.lock');
      expect(result.stderr).toMatch(/Stop the agent and run entity metrics again/);
      expect(result.stderr).toContain('GET /metrics');
      expect(hasStackTrace(result.stderr)).toBe(false);
      // The agent's memory is untouched and still works.
      await agent.set('metrics-reader', 'k', 'still mine');
      expect(await agent.get('metrics-reader', 'k')).toBe('still mine');
    } finally {
      await agent.stop();
    }
  });

  it('metrics never writes what a model named (tool names) or the --user value raw to the terminal', async () => {
    const hostileTool = 'evil\u001b]0;PWNED\u0007\u001b[2J\rtool';
    const hostileUser = 'us\u001b[2Jer\u202e';
    const memory = pgliteMemory({ path: join(directory, '.entity/memory'), embedder: 'hashing' }) as unknown as {
      database: { sql(query: string, params?: unknown[]): Promise<unknown> };
      start(): Promise<void>;
      stop(): Promise<void>;
    };
    await memory.start();
    try {
      await memory.database.sql(
        `INSERT INTO entity_metric_events (kind, name, started_at, run_id, user_id, duration_ms, success, stage, model, provider, operation)
         VALUES ('run', 'run', now(), 'hostile-run', $2, 5, true, NULL, NULL, NULL, NULL),
                ('tool', $1, now(), 'hostile-run', $2, 1, true, 'DO', NULL, NULL, 'call'),
                ('plugin', $1, now(), 'hostile-run', $2, 1, true, 'THINK\u001b[1A', NULL, NULL, NULL),
                ('resource', 'llm', now(), 'hostile-run', $2, 1, true, NULL, $1, 'prov\u009b2J', 'chat\nnext')`,
        [hostileTool, hostileUser],
      );
    } finally {
      await memory.stop();
    }
    const text = await entity(['metrics', '--user', hostileUser], { cwd: directory, env: { LLM_URL: `${openai.origin}/v1`, FORCE_COLOR: '1' } });
    expect(text.code, text.stderr).toBe(0);
    const shown = text.stdout.replace(OWN_COLOUR, '');
    expect(shown).not.toMatch(TERMINAL_CONTROL);
    expect(shown).toContain('user user');
    expect(shown).toMatch(/\n\s+eviltool\s+1\s+0/);
    expect(shown).toMatch(/THINK\s+eviltool/);
    expect(shown).toMatch(/eviltool\s+prov\s+1/);
    expect(shown).toMatch(/llm\s+chat next\s+1/);
  });
});

// `entity run sub/agent.yaml` resolves the log file and the database from sub/: `entity logs` and
// `entity metrics` of that config must read them there, from whatever folder they are run in.
describe('entity logs / entity metrics read the config, like entity run', () => {
  let openai: LoopbackServer;
  let directory: string;

  beforeAll(async () => {
    openai = await startOpenAIServer({});
    openai.respondWith({ text: 'logged answer' });
    directory = project({
      'sub/agent.yaml': `resources:
  llm:
    type: openai
    model: gpt-4o-mini
    baseURL: \${LLM_URL}
    apiKey: sk-test
  logging:
    type: logging
    console: false
    file:
      path: ./logs/agent.jsonl
  metrics:
    type: metrics
`,
    });
    const result = await entity(['run', 'sub/agent.yaml', 'hello', '--user', 'ada'], { cwd: directory, env: { LLM_URL: `${openai.origin}/v1` }, timeoutMs: 120_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(directory, 'sub', 'logs'))).toBe(true);
  }, 150_000);
  afterAll(() => openai.close());

  it('logs [config] reads the file the config names, from its folder, whatever the current folder', async () => {
    const completed = (stdout: string) => stdout.split('\n').filter((line) => line.includes('run completed') && line.includes('"userId":"ada"'));
    for (const [cwd, args] of [
      [directory, ['sub/agent.yaml']],
      [directory, ['sub']],
      [join(directory, 'sub'), []],
      [project(), [join(directory, 'sub', 'agent.yaml')]],
    ] as const) {
      const result = await entity(['logs', '--json', ...args], { cwd });
      expect(result.code, `${cwd} ${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(completed(result.stdout), `${cwd} ${args.join(' ')}`).toHaveLength(1);
    }
    // The folder above has no config: the default path there, which holds nothing.
    const outside = await entity(['logs'], { cwd: directory });
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain('No log files at .entity/logs/entity.jsonl');
    const missing = await entity(['logs', 'nowhere/agent.yaml'], { cwd: directory });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('config not found: nowhere/agent.yaml');
  });

  it('logs of a config whose file output has not written yet says to run the agent', async () => {
    const fresh = project({ 'agent.yaml': 'resources:\n  logging:\n    type: logging\n    file: true\n' });
    const result = await entity(['logs'], { cwd: fresh });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No log files at .entity/logs/entity.jsonl');
    expect(result.stderr).toContain('Run the agent first');
  });

  it('metrics [config] reads the zero-config database beside the config, whatever the current folder', async () => {
    for (const [cwd, args] of [
      [directory, ['sub/agent.yaml']],
      [join(directory, 'sub'), []],
      [project(), [join(directory, 'sub')]],
    ] as const) {
      const result = await entity(['metrics', '--json', ...args], { cwd, env: { LLM_URL: `${openai.origin}/v1` } });
      expect(result.code, `${cwd} ${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(JSON.parse(result.stdout).runs, `${cwd} ${args.join(' ')}`).toMatchObject({ count: 1, users: 1 });
    }
    expect(existsSync(join(directory, '.entity'))).toBe(false);
  }, 120_000);
});
