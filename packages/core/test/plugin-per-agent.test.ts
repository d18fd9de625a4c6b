import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, defineResource, definePlugin, inMemoryLogger, inMemoryMemory } from '../src/index.js';

const quietLog = defineResource({ type: 'quiet-log', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryLogger({ echoLevel: false }) });
const localMemory = defineResource({ type: 'local-memory', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryMemory() });
const resourceTypes = [quietLog, localMemory];
const RESOURCES = 'resources:\n  logging: { type: quiet-log }\n  memory: { type: local-memory }\n';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'entity-per-agent-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/**
 * A plugin module whose plugin keeps what init() got on `this` and answers with it, and counts
 * init/shutdown calls in a log the test reads (globalThis, as module state is shared by design).
 */
const statefulPlugin = (name: string) => `const log = (globalThis.__perAgentLog ??= []);
export default {
  name: '${name}', kind: 'output',
  configSchema: { safeParse: (v) => ({ success: true, data: v }) },
  init(ctx) { this.tenant = ctx.config.tenant; log.push('init ' + this.tenant); },
  shutdown() { log.push('shutdown ' + this.tenant); },
  execute(ctx) { ctx.respond('${name} for ' + this.tenant); },
};
`;

function initLog(): string[] {
  const store = globalThis as Record<string, unknown>;
  store.__perAgentLog ??= [];
  return store.__perAgentLog as string[];
}

describe('plugins loaded from config or a plugins/ folder belong to each agent', () => {
  it('two agents from the same agent.yaml in one process both start, each with its own plugin state', async () => {
    initLog().length = 0;
    const dir = project({
      'agent.yaml': `defaultWorkflow: false\n${RESOURCES}plugins:\n  - use: ./plugins/answer.mjs\n    config:\n      tenant: \${TENANT}\n`,
      'plugins/answer.mjs': statefulPlugin('answer'),
    });
    const first = await Agent.fromConfig(join(dir, 'agent.yaml'), { resourceTypes, environment: { TENANT: 'acme' } });
    const second = await Agent.fromConfig(join(dir, 'agent.yaml'), { resourceTypes, environment: { TENANT: 'globex' } });
    await expect(first.chat('hi')).resolves.toMatchObject({ text: 'answer for acme' });
    await expect(second.chat('hi')).resolves.toMatchObject({ text: 'answer for globex' });
    // The first agent's runs still see its own state after the second started.
    await expect(first.chat('hi again')).resolves.toMatchObject({ text: 'answer for acme' });
    await first.stop();
    await expect(second.chat('still here')).resolves.toMatchObject({ text: 'answer for globex' });
    await second.stop();
    expect(initLog()).toEqual(['init acme', 'init globex', 'shutdown acme', 'shutdown globex']);
  });

  it('two agents from the same directory (plugins/ folder) both start', async () => {
    initLog().length = 0;
    const dir = project({
      'agent.yaml': `defaultWorkflow: false\n${RESOURCES}`,
      'plugins/greeter.mjs': statefulPlugin('greeter'),
    });
    const first = await Agent.fromDirectory(dir, { resourceTypes });
    const second = await Agent.fromDirectory(dir, { resourceTypes });
    await first.start();
    await second.start();
    await expect(second.chat('hi')).resolves.toMatchObject({ text: 'greeter for undefined' });
    await first.stop();
    await second.stop();
    expect(initLog()).toEqual(['init undefined', 'init undefined', 'shutdown undefined', 'shutdown undefined']);
  });

  it('a factory export (default, named by `export:`, or in plugins/) is called once per agent and gives each its own closure', async () => {
    const factory = (name: string) => `let made = (globalThis.__perAgentFactories ??= {});
export default () => {
  made['${name}'] = (made['${name}'] ?? 0) + 1;
  const copy = made['${name}'];
  let tenant;
  return { name: '${name}', kind: 'output', configSchema: { safeParse: (v) => ({ success: true, data: v }) },
    init(ctx) { tenant = (ctx.config && ctx.config.tenant) || 'folder'; }, execute(ctx) { ctx.respond('${name} #' + copy + ' for ' + tenant); } };
};
export function helper(required) { throw new Error('helpers are never called: ' + required); }
`;
    const dir = project({
      'agent.yaml': `defaultWorkflow: false\n${RESOURCES}plugins:\n  - use: ./lib/made.mjs\n    config:\n      tenant: \${TENANT}\n`,
      'lib/made.mjs': factory('made'),
      'lib/named.mjs': `export const build = () => ({ name: 'named', kind: 'output', init() {}, execute(ctx) { ctx.respond('named'); } });\n`,
      'other.yaml': `defaultWorkflow: false\n${RESOURCES}plugins:\n  - use: ./lib/named.mjs\n    export: build\n`,
    });
    const acme = await Agent.fromConfig(join(dir, 'agent.yaml'), { resourceTypes, environment: { TENANT: 'acme' } });
    const globex = await Agent.fromConfig(join(dir, 'agent.yaml'), { resourceTypes, environment: { TENANT: 'globex' } });
    await expect(acme.chat('hi')).resolves.toMatchObject({ text: 'made #1 for acme' });
    await expect(globex.chat('hi')).resolves.toMatchObject({ text: 'made #2 for globex' });
    await expect(acme.chat('hi')).resolves.toMatchObject({ text: 'made #1 for acme' });

    const named = [await Agent.fromConfig(join(dir, 'other.yaml'), { resourceTypes }), await Agent.fromConfig(join(dir, 'other.yaml'), { resourceTypes })];
    for (const agent of named) await expect(agent.chat('hi')).resolves.toMatchObject({ text: 'named' });

    const folder = project({ 'agent.yaml': `defaultWorkflow: false\n${RESOURCES}`, 'plugins/folder.mjs': factory('folder') });
    const inFolder = [await Agent.fromDirectory(folder, { resourceTypes }), await Agent.fromDirectory(folder, { resourceTypes })];
    await expect(inFolder[0]!.chat('hi')).resolves.toMatchObject({ text: 'folder #1 for folder' });
    await expect(inFolder[1]!.chat('hi')).resolves.toMatchObject({ text: 'folder #2 for folder' });
    for (const agent of [acme, globex, ...named, ...inFolder]) await agent.stop();
  });

  it('a factory returning no plugin is a config error naming the export', async () => {
    const dir = project({
      'agent.yaml': `defaultWorkflow: false\n${RESOURCES}plugins:\n  - use: ./lib/empty.mjs\n`,
      'lib/empty.mjs': 'export default () => 42;\n',
    });
    const error = await Agent.fromConfig(join(dir, 'agent.yaml'), { resourceTypes }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/export "default" is a function, called as a plugin factory, and returned number/);
  });
});

describe('a plugin object passed in code to two running agents', () => {
  it('is refused for the second, telling apart two agents of the same name', async () => {
    const shared = definePlugin({ name: 'shared', kind: 'output', init() {}, execute: (ctx) => ctx.respond('ok') });
    const build = () => new Agent({ name: 'tenant', defaultWorkflow: false, zeroConfig: false, resources: { logging: inMemoryLogger({ echoLevel: false }) }, plugins: [shared] });
    const first = build();
    const second = build();
    await first.start();
    const refused = await second.start().catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'PLUGIN_IN_USE', plugin: 'shared' });
    const message = (refused as Error).message;
    expect(message).toMatch(/already started by another agent also named "tenant" \(agent #(\d+); this one is agent #(\d+)\)/);
    const [, holder, wanted] = /agent #(\d+); this one is agent #(\d+)/.exec(message)!;
    expect(Number(wanted)).toBe(Number(holder) + 1);
    expect(message).toMatch(/passed in code/);
    await first.stop();
    await expect(second.chat('now')).resolves.toMatchObject({ text: 'ok' });
    await second.stop();
  });
});
