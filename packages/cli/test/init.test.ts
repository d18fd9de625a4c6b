import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OllamaTestServer, startOllamaServer } from '@entity/test-servers';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, entity, project } from './helpers.js';
import { command, UNREACHABLE_REGISTRY } from './support/command.js';
import { type RegistryMirror, startRegistryMirror } from './support/registry-mirror.js';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));
const WORKSPACE = fileURLToPath(new URL('../../../', import.meta.url));

describe('entity init', () => {
  it('--yes with choices writes only the packages the project needs', async () => {
    const parent = project();
    const result = await entity(['init', 'support-bot', '--yes', '--llm', 'openai', '--memory', 'none', '--storage'], { cwd: parent });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Created support-bot in support-bot (openai, memory: none, storage)');
    const manifest = JSON.parse(readFileSync(join(parent, 'support-bot', 'package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual(['@entity/core', '@entity/resources-llm', '@entity/resources-storage', 'zod']);
    expect(manifest.dependencies['@entity/core']).toBe('^0.1.0');
    expect(Object.keys(manifest.devDependencies)).toEqual(['@entity/cli', 'vitest']);
    const yaml = readFileSync(join(parent, 'support-bot', 'agent.yaml'), 'utf8');
    expect(yaml).toContain('type: openai');
    expect(yaml).toContain('type: local');
    expect(yaml).not.toContain('memory:');
    // The scaffold validates with the CLI itself (resources resolve from this workspace).
    const validate = await entity(['validate', 'support-bot'], { cwd: parent, env: { OPENAI_API_KEY: 'sk-test' } });
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
  });

  it('asks on a terminal: name, provider, memory, storage (re-asking on an unknown answer)', async () => {
    if (spawnSync('script', ['--version']).error) {
      if (process.env.CI) throw new Error('the `script` command (util-linux) is needed for the terminal test: apt-get install util-linux');
      return;
    }
    const parent = project();
    const child = spawn('script', ['-qfec', `${process.execPath} ${BIN} init asked`, '/dev/null'], { cwd: parent, env: { ...process.env, TERM: 'xterm' } });
    let screen = '';
    child.stdout.on('data', (chunk) => (screen += chunk));
    const answer = async (question: string, text: string) => {
      const deadline = Date.now() + 20_000;
      while (!screen.includes(question)) {
        if (Date.now() > deadline) throw new Error(`"${question}" never asked; screen:\n${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      screen = screen.slice(screen.indexOf(question) + question.length);
      child.stdin.write(`${text}\r`);
    };
    await answer('Project name', 'helper-bot');
    await answer('Model provider', 'gemini');
    await answer('choose one of: ollama, openai, anthropic', 'anthropic');
    await answer('Memory', 'postgres');
    await answer('Add file storage?', 'y');
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    const manifest = JSON.parse(readFileSync(join(parent, 'asked', 'package.json'), 'utf8'));
    expect(manifest.name).toBe('helper-bot');
    expect(Object.keys(manifest.dependencies)).toEqual(['@entity/core', '@entity/resources-llm', '@entity/resources-memory', '@entity/resources-storage', 'zod']);
    const yaml = readFileSync(join(parent, 'asked', 'agent.yaml'), 'utf8');
    expect(yaml).toContain('type: anthropic');
    expect(yaml).toContain('type: postgres');
  });

  it('refuses a non-empty directory and unknown choices (exit 2)', async () => {
    const directory = project({ 'notes.txt': 'mine' });
    const busy = await entity(['init', '--yes'], { cwd: directory });
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain('is not empty');
    expect(readFileSync(join(directory, 'notes.txt'), 'utf8')).toBe('mine');
    const llm = await entity(['init', 'x', '--yes', '--llm', 'gpt'], { cwd: project() });
    expect(llm.code).toBe(2);
    expect(llm.stderr).toContain('--llm must be one of: ollama, openai, anthropic');
  });

  describe('a generated project installs from packed packages and its test passes', () => {
    const home = mkdtempSync(join(tmpdir(), 'entity-init-'));
    let ollama: OllamaTestServer | undefined;
    let mirror: RegistryMirror | undefined;
    afterAll(async () => {
      await ollama?.close();
      await mirror?.close();
      rmSync(home, { recursive: true, force: true });
    });

    it('init → lockfile resolved offline → pnpm install --offline (local tarballs + the workspace store) → pnpm test → entity run', async () => {
      const packs = join(home, 'packs');
      // `pnpm pack` is what publishing does: workspace ranges become versions, only `files` ship.
      const names = { core: '@entity/core', 'resources-llm': '@entity/resources-llm', 'resources-memory': '@entity/resources-memory', cli: '@entity/cli' } as const;
      const tarballs: Record<string, string> = {};
      for (const [directory, name] of Object.entries(names)) {
        const { stdout } = await command('pnpm', ['pack', '--pack-destination', packs, '--json'], { cwd: join(PACKAGES, directory) });
        tarballs[name] = (JSON.parse(stdout) as { filename: string }).filename;
      }
      const created = await entity(['init', 'my-agent', '--yes'], { cwd: home });
      expect(created.code, created.stderr).toBe(0);
      const app = join(home, 'my-agent');
      writeFileSync(join(app, 'pnpm-workspace.yaml'), `overrides:\n${Object.entries(tarballs).map(([name, file]) => `  "${name}": "file:${file}"`).join('\n')}\n`);

      // Nothing may come from the internet: the project's lockfile is resolved against a loopback
      // mirror of the workspace lockfile, then installed with --offline from the workspace's pnpm
      // store, with the registry pointed at a closed port. A fresh cache proves no earlier metadata helps.
      const store = (await command('pnpm', ['store', 'path'], { cwd: WORKSPACE })).stdout.trim();
      const offline = { ...process.env, ...UNREACHABLE_REGISTRY, pnpm_config_store_dir: store, pnpm_config_cache_dir: join(home, 'pnpm-cache') };
      mirror = await startRegistryMirror(WORKSPACE);
      await command('pnpm', ['install', '--lockfile-only', '--reporter=append-only'], {
        cwd: app,
        env: { ...offline, pnpm_config_registry: mirror.url, npm_config_registry: mirror.url },
        timeout: 120_000,
        explain: () => `registry mirror requests:\n${mirror!.requests.join('\n')}`,
      });
      await mirror.close();
      mirror = undefined;
      await command('pnpm', ['install', '--offline', '--frozen-lockfile', '--reporter=append-only'], { cwd: app, env: offline, timeout: 240_000 });

      const tested = await command('pnpm', ['test'], { cwd: app, env: offline });
      expect(tested.stdout).toMatch(/Tests\s+.*3 passed/);

      const validated = await command('pnpm', ['exec', 'entity', 'validate'], { cwd: app, env: offline });
      expect(validated.stdout).toContain('Valid.');

      ollama = await startOllamaServer({ models: ['llama3.2:3b'] });
      ollama.respondWith({ text: 'Hi from the installed CLI.' });
      const answered = await command('pnpm', ['exec', 'entity', 'run', 'hello'], { cwd: app, env: { ...offline, OLLAMA_HOST: ollama.origin } });
      expect(answered.stdout).toBe('Hi from the installed CLI.\n');
      const chat = ollama.modelCalls.find((call) => call.path === '/api/chat')!;
      expect((chat.body as { model: string }).model).toBe('llama3.2:3b');
    }, 300_000);
  });
});
