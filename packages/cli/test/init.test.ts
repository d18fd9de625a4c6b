import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OllamaTestServer, startOllamaServer } from '@entity/test-servers';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { MEMORY_PACKAGES, PROVIDER_PACKAGES } from '../src/init/project-manifest.js';
import { cliVersion } from '../src/main.js';
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
    // The provider's SDK comes with the project: resources-llm only peers on it.
    expect(Object.keys(manifest.dependencies)).toEqual(['@entity/core', '@entity/resources-llm', '@entity/resources-storage', 'openai', 'zod']);
    expect(manifest.dependencies['@entity/core']).toBe(`^${cliVersion()}`);
    expect(Object.keys(manifest.devDependencies)).toEqual(['@entity/cli', '@types/node', 'typescript', 'vitest']);
    expect(manifest.scripts.typecheck).toBe('tsc');
    const yaml = readFileSync(join(parent, 'support-bot', 'agent.yaml'), 'utf8');
    expect(yaml).toContain('type: openai');
    expect(yaml).toContain('type: local');
    expect(yaml).not.toContain('memory:');
    // --storage promises file tools: the plugin is written and listed.
    expect(yaml).toContain('- ./plugins/files.ts');
    expect(readFileSync(join(parent, 'support-bot', 'plugins', 'files.ts'), 'utf8')).toContain('filesPlugin(');
    // Editors find the JSON Schema that @entity/cli ships.
    expect(yaml.split('\n')[0]).toBe('# yaml-language-server: $schema=./node_modules/@entity/cli/schema/agent.schema.json');
    const graph = await entity(['graph', 'support-bot', '--json'], { cwd: parent, env: { OPENAI_API_KEY: 'sk-test' } });
    expect(graph.stdout).toContain('write_file');
    // The scaffold validates with the CLI itself (resources resolve from this workspace).
    const validate = await entity(['validate', 'support-bot'], { cwd: parent, env: { OPENAI_API_KEY: 'sk-test' } });
    expect(validate.code, validate.stdout + validate.stderr).toBe(0);
  });

  it('ships the agent.yaml JSON Schema it points at: generated files pass it, a typo does not', async () => {
    const schema = JSON.parse(readFileSync(fileURLToPath(new URL('../schema/agent.schema.json', import.meta.url)), 'utf8'));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'instructions', 'resources', 'plugins', 'workflow']));
    const check = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const yaml = createRequire(fileURLToPath(import.meta.resolve('@entity/core')))('yaml') as { parse(text: string): unknown };
    const parent = project();
    await entity(['init', 'plain', '--yes'], { cwd: parent });
    await entity(['init', 'full', '--yes', '--llm', 'anthropic', '--memory', 'postgres', '--storage'], { cwd: parent });
    for (const name of ['plain', 'full']) {
      const document = yaml.parse(readFileSync(join(parent, name, 'agent.yaml'), 'utf8')) as Record<string, unknown>;
      expect(check(document), `${name}: ${JSON.stringify(check.errors)}`).toBe(true);
      expect(check({ ...document, maxIteration: 5 })).toBe(false);
      expect(check.errors?.[0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'maxIteration' } });
    }
  });

  it('asks for the SDK and driver versions that the packages peer on', () => {
    const peers = (directory: string) => JSON.parse(readFileSync(join(PACKAGES, directory, 'package.json'), 'utf8')).peerDependencies as Record<string, string>;
    for (const [name, range] of Object.values(PROVIDER_PACKAGES)) expect(peers('resources-llm')[name], name).toBe(range);
    for (const [name, range] of Object.values(MEMORY_PACKAGES)) expect(peers('resources-memory')[name], name).toBe(range);
  });

  it('quotes a directory with spaces in the printed commands', async () => {
    const parent = project();
    const result = await entity(['init', "Tom's agent", '--yes', '--memory', 'none'], { cwd: parent });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("cd 'Tom'\\''s agent'");
    expect(JSON.parse(readFileSync(join(parent, "Tom's agent", 'package.json'), 'utf8')).name).toBe('tom-s-agent');
  });

  it('--packages and ENTITY_PACKAGES: a folder without the needed tarballs is a usage error naming them', async () => {
    const empty = project();
    const none = await entity(['init', 'x', '--yes', '--packages', empty], { cwd: project() });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('holds no package tarballs');
    expect(none.stderr).toContain('pnpm release:pack');
    const packs = project();
    await command('pnpm', ['pack', '--pack-destination', packs], { cwd: join(PACKAGES, 'core') });
    const partial = await entity(['init', 'x', '--yes', '--storage'], { cwd: project(), env: { ENTITY_PACKAGES: packs } });
    expect(partial.code).toBe(2);
    expect(partial.stderr).toContain('ENTITY_PACKAGES');
    expect(partial.stderr).toContain('has no tarball of @entity/resources-llm, @entity/cli, @entity/resources-memory, @entity/resources-storage');
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
    expect(Object.keys(manifest.dependencies)).toEqual(['@anthropic-ai/sdk', '@entity/core', '@entity/resources-llm', '@entity/resources-memory', '@entity/resources-storage', 'pg', 'zod']);
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

    it('release:pack → init --packages → lockfile resolved offline → pnpm install --offline → typecheck → test → entity run', async () => {
      const packs = join(home, 'dist-packages');
      // The root `pnpm release:pack` script's packing step: every public package, as publishing packs it.
      await command(process.execPath, [join(WORKSPACE, 'scripts', 'release-pack.mjs'), packs], { cwd: WORKSPACE });
      // A directory name with a space, as a newcomer's may have.
      const created = await entity(['init', 'my agent', '--yes', '--storage', '--packages', packs], { cwd: home });
      expect(created.code, created.stderr).toBe(0);
      expect(created.stdout).toContain("cd 'my agent'");
      const app = join(home, 'my agent');
      const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
      expect(manifest.dependencies['@entity/core']).toMatch(/^file:\.\.\/dist-packages\/entity-core-[\d.]+\.tgz$/);
      expect(manifest.devDependencies['@entity/cli']).toMatch(/^file:\.\.\/dist-packages\/entity-cli-/);

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

      // Only the chosen provider's SDK and memory driver are installed (they are optional peers).
      const installed = readdirSync(join(app, 'node_modules', '.pnpm'));
      expect(installed.some((entry) => entry.startsWith('ollama@'))).toBe(true);
      expect(installed.some((entry) => entry.startsWith('@electric-sql+pglite@'))).toBe(true);
      expect(installed.filter((entry) => /^(openai|@anthropic-ai\+sdk|pg)@/.test(entry))).toEqual([]);
      // A provider whose SDK is not installed says which package to add and how.
      writeFileSync(
        join(app, 'missing-sdk.mjs'),
        "import { openai } from '@entity/resources-llm';\n" +
          "await openai({ model: 'gpt-4o-mini', apiKey: 'sk-test', baseURL: 'http://127.0.0.1:9/v1' }).chat({ messages: [{ role: 'user', content: 'hi' }] })" +
          '.then(() => console.log("answered"), (error) => console.log(error.message));\n',
      );
      writeFileSync(
        join(app, 'missing-driver.mjs'),
        "import { postgresMemory } from '@entity/resources-memory';\n" +
          "await postgresMemory({ url: 'postgres://postgres@127.0.0.1:9/none' }).start().then(() => console.log('started'), (error) => console.log(error.message));\n",
      );
      const missing = await command(process.execPath, ['missing-sdk.mjs'], { cwd: app, env: offline });
      expect(missing.stdout).toContain('The OpenAI provider needs the package "openai". Install it with: pnpm add openai');
      const missingDriver = await command(process.execPath, ['missing-driver.mjs'], { cwd: app, env: offline });
      expect(missingDriver.stdout).toContain('The postgres memory needs the package "pg". Install it with: pnpm add pg');

      const typechecked = await command('pnpm', ['typecheck'], { cwd: app, env: offline });
      expect(typechecked.stdout).not.toContain('error TS');

      const tested = await command('pnpm', ['test'], { cwd: app, env: offline });
      expect(tested.stdout).toMatch(/Tests\s+.*4 passed/);

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
