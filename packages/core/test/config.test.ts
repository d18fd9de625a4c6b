import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Agent, ConfigError, defineResource, inMemoryLogger, inMemoryMemory, type LLM, validateConfig } from '../src/index.js';
import { scriptedLLM } from '../src/testing/index.js';

/** A YAML-selectable model for tests: replies with its configured greeting; can change it at run time. */
const scriptedType = defineResource({
  type: 'scripted',
  packageName: '@entity/core',
  configSchema: z.object({ greeting: z.string(), temperature: z.number().min(0).max(2).default(0.7) }).strict(),
  create(config) {
    let greeting = config.greeting;
    const llm = scriptedLLM(() => greeting);
    return Object.assign(llm, {
      reconfigure(next: unknown) {
        greeting = (next as { greeting: string }).greeting;
      },
    }) as LLM;
  },
});
const quietType = defineResource({ type: 'quiet-log', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryLogger({ echoLevel: false }) });
// An in-memory store: without one, zero-config would open a PGlite database per test (seconds each).
const memoryType = defineResource({ type: 'scratch-memory', packageName: '@entity/core', configSchema: z.object({}).strict(), create: () => inMemoryMemory() });
const resourceTypes = [scriptedType, quietType, memoryType];

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'entity-config-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const shoutPlugin = `export default {
  name: 'shout', kind: 'prompt', stages: ['REVIEW'],
  configSchema: { safeParse: (v) => ({ success: true, data: v }) },
  execute(ctx, config) { ctx.store('entity:answer', (ctx.load('entity:answer') ?? '') + (config.suffix ?? '')); },
};\n`;

describe('config', () => {
  it('builds a working agent from YAML with ${VAR} interpolation and .env', async () => {
    const dir = project({
      'agent.yaml': 'name: demo\nmaxIterations: ${MAX_ITER:-4}\nresources:\n  llm:\n    type: scripted\n    greeting: ${GREETING}\n  logging:\n    type: quiet-log\n  memory:\n    type: scratch-memory\nplugins:\n  - use: ./plugins/shout.mjs\n    config:\n      suffix: "!"\n',
      '.env': 'GREETING=hello from env\n',
      'plugins/shout.mjs': shoutPlugin,
    });
    const agent = await Agent.fromConfig(join(dir, 'agent.yaml'), { resourceTypes, environment: { MAX_ITER: '3' } });
    expect(agent.currentSettings.maxIterations).toBe(3);
    const result = await agent.chat('hi');
    expect(result.text).toBe('hello from env!');
    await agent.stop();
  });

  it('takes the stop and ERROR-stage budgets from YAML', async () => {
    const dir = project({
      'agent.yaml': 'stopTimeoutMs: 2500\nerrorTimeoutMs: 700\nresources:\n  llm: { type: scripted, greeting: hi }\n  logging: { type: quiet-log }\n  memory: { type: scratch-memory }\n',
    });
    const agent = await Agent.fromConfig(join(dir, 'agent.yaml'), { resourceTypes });
    expect(agent.currentSettings.stopTimeoutMs).toBe(2500);
    expect(agent.currentSettings.errorTimeoutMs).toBe(700);
    await agent.stop();
  });

  it('reports every problem with its path and a fix', async () => {
    const report = await validateConfig(
      {
        maxIterations: 0,
        colour: 'blue',
        resources: { llm: { type: 'scripted', greeting: 42, temperature: 9 }, db: { type: 'nosuchtype' } },
        plugins: [{ use: './missing.mjs', confg: {} }],
      },
      { resourceTypes },
    );
    expect(report.ok).toBe(false);
    const byPath = Object.fromEntries(report.issues.map((issue) => [issue.path, issue]));
    expect(byPath.colour).toMatchObject({ message: 'unknown key "colour"', phase: 'structure' });
    expect(byPath.maxIterations?.fix).toMatch(/limit/);
    expect(byPath['plugins.0.confg']).toMatchObject({ message: 'unknown key "confg"', fix: 'did you mean "config"?' });
    // The root problems do not hide the nested ones: the resources are checked in the same pass.
    expect(byPath['resources.llm.greeting']?.phase).toBe('structure');
    expect(byPath['resources.llm.temperature']?.phase).toBe('structure');
    expect(byPath['resources.db.type']?.message).toMatch(/unknown resource type "nosuchtype"/);
    expect(report.issues.every((issue) => issue.fix.length > 0)).toBe(true);
  });

  it('checks resource configs against their type, listing each field', async () => {
    const report = await validateConfig({ resources: { llm: { type: 'scripted', greeting: 42, temperature: 9 }, db: { type: 'nosuchtype' } } }, { resourceTypes });
    const paths = report.issues.map((issue) => issue.path).sort();
    expect(paths).toEqual(['resources.db.type', 'resources.llm.greeting', 'resources.llm.temperature']);
    expect(report.issues.find((issue) => issue.path === 'resources.db.type')?.fix).toMatch(/use one of: scripted, quiet-log, scratch-memory, openai/);
  });

  it('reports a missing environment variable with where it is used', async () => {
    const report = await validateConfig({ resources: { llm: { type: 'scripted', greeting: '${NOT_SET_ANYWHERE}' } } }, { resourceTypes, environment: {} });
    expect(report.issues).toEqual([expect.objectContaining({ path: 'resources.llm.greeting', message: 'environment variable NOT_SET_ANYWHERE is not set' })]);
  });

  it('finds graph problems: missing plugin modules, missing resources, unknown workflow plugins', async () => {
    const dir = project({
      'plugins/needs.mjs': "export default { name: 'needs-db', kind: 'prompt', dependencies: ['warehouse'], execute() {} };\n",
    });
    const report = await validateConfig(
      { plugins: ['./plugins/needs.mjs', './plugins/nope.mjs'], workflow: { THINK: ['needs-db', 'ghost'] } },
      { resourceTypes, baseDir: dir },
    );
    expect(report.issues.map((issue) => `${issue.phase} ${issue.path}`).sort()).toEqual([
      'graph plugins.0 (needs-db).dependencies',
      'graph plugins.1',
      'graph workflow.THINK',
    ]);
    expect(report.timings.structure).toBeLessThan(100);
  });

  it('reports YAML syntax errors with their line', async () => {
    const dir = project({ 'agent.yaml': 'resources:\n  llm:\n    type: scripted\n   greeting: bad-indent\n' });
    const report = await validateConfig(join(dir, 'agent.yaml'), { resourceTypes });
    expect(report.ok).toBe(false);
    expect(report.issues[0]?.path).toMatch(/^line \d+/);
  });

  it('runtime phase reports unhealthy resources', async () => {
    const unhealthy = defineResource({
      type: 'flaky-db',
      packageName: 'test',
      configSchema: z.object({ host: z.string() }).strict(),
      create: ({ host }) => ({ healthCheck: async () => ({ healthy: false, message: `cannot reach ${host}:5432` }) }),
    });
    const report = await validateConfig({ resources: { db: { type: 'flaky-db', host: 'db.local' } } }, { resourceTypes: [unhealthy], runtime: true });
    expect(report.issues).toEqual([expect.objectContaining({ phase: 'runtime', path: 'resources.db', message: 'cannot reach db.local:5432' })]);
  });

  it('hot-reloads parameters but refuses topology changes with "restart required"', async () => {
    const dir = project({
      'agent.yaml': 'resources:\n  llm: { type: scripted, greeting: one }\n  logging: { type: quiet-log }\n  memory: { type: scratch-memory }\nplugins:\n  - use: ./plugins/shout.mjs\n    config: { suffix: "?" }\n',
      'plugins/shout.mjs': shoutPlugin,
    });
    const file = join(dir, 'agent.yaml');
    const agent = await Agent.fromConfig(file, { resourceTypes });
    expect((await agent.chat('x')).text).toBe('one?');

    writeFileSync(file, 'maxIterations: 2\nresources:\n  llm: { type: scripted, greeting: two }\n  logging: { type: quiet-log }\n  memory: { type: scratch-memory }\nplugins:\n  - use: ./plugins/shout.mjs\n    config: { suffix: "!" }\n');
    expect(await agent.reload()).toEqual(['maxIterations', 'plugins.shout', 'resources.llm']);
    expect((await agent.chat('x')).text).toBe('two!');
    expect(agent.currentSettings.maxIterations).toBe(2);

    writeFileSync(file, 'resources:\n  llm: { type: scripted, greeting: three }\n  logging: { type: quiet-log }\n  memory: { type: scratch-memory }\nplugins: []\n');
    const error = await agent.reload().catch((e: unknown) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues[0]).toMatchObject({ path: 'plugins', fix: expect.stringMatching(/^restart required/) });
    expect((await agent.chat('x')).text).toBe('two!');
    await agent.stop();
  });

  it('builds an agent from a directory with plugins/ and tools/', async () => {
    const dir = project({
      'agent.yaml': 'resources:\n  llm: { type: scripted, greeting: dir-agent }\n  logging: { type: quiet-log }\n  memory: { type: scratch-memory }\nplugins:\n  - use: ./plugins/shout.mjs\n    config: { suffix: "?" }\n',
      'plugins/shout.mjs': shoutPlugin,
      'tools/echo.mjs': "export const echo = { name: 'echo', description: 'echo', input: { safeParse: (v) => ({ success: true, data: v }) }, parameters: {}, execute: (a) => a };\n",
    });
    const agent = await Agent.fromDirectory(dir, { resourceTypes });
    const description = agent.describe();
    expect(description.tools).toEqual([{ name: 'echo', plugin: 'tool:echo', description: 'echo' }]);
    expect(description.stages.find((s) => s.stage === 'REVIEW')?.plugins.map((p) => p.name)).toEqual(['shout']);
    expect((await agent.chat('x')).text).toBe('dir-agent?');
    await agent.stop();
  });
});
