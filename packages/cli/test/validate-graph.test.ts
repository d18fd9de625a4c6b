import { describe, expect, it } from 'vitest';
import { ADD_TOOL, entity, project, TERMINAL_CONTROL, withoutOwnColour } from './helpers.js';

const GREETER = `import { definePlugin } from '@entity/core';
export default definePlugin({ name: 'greeter', kind: 'prompt', dependencies: ['llm'], execute(ctx) { ctx.store('greeting', 'hi'); } });
`;
const AUDIT = `import { definePlugin } from '@entity/core';
export const audit = definePlugin({ name: 'audit', kind: 'output', dependencies: ['audit_log'], execute() {} });
`;
const VALID = `name: shop
resources:
  llm:
    type: openai
    model: gpt-4o-mini
    baseURL: http://127.0.0.1:1/v1
    apiKey: sk-test
  memory:
    type: postgres
    url: postgres://postgres@127.0.0.1:1/none
plugins:
  - ./plugins/greeter.ts
  - ./tools/add.ts
`;

describe('entity validate', () => {
  it('a valid config passes structure and graph, exit 0; --json has the phases', async () => {
    const directory = project({ 'agent.yaml': VALID, 'plugins/greeter.ts': GREETER, 'tools/add.ts': ADD_TOOL });
    const result = await entity(['validate'], { cwd: directory });
    expect(result.stdout).toMatch(/✔ structure .*\n\s+✔ graph/);
    expect(result.stdout).toContain('runtime: skipped (use --runtime)');
    expect(result.stdout).toContain('Valid.');
    expect(result.code).toBe(0);
    const json = await entity(['validate', 'agent.yaml', '--json'], { cwd: directory });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, phases: ['structure', 'graph'], issues: [] });
  });

  it('structure problems: every one listed with its path and fix, exit 1', async () => {
    const directory = project({ 'agent.yaml': 'name: 42\nmaxIterations: -1\ntools: []\nresources:\n  llm:\n    type: openai\n    modle: gpt-4o\n' });
    const result = await entity(['validate', '--json'], { cwd: directory });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    const paths = report.issues.map((issue: { path: string }) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'maxIterations', 'tools', 'resources.llm.modle']));
    expect(report.issues.every((issue: { phase: string; fix: string }) => issue.phase === 'structure' && issue.fix.length > 0)).toBe(true);
    const text = await entity(['validate'], { cwd: directory });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('✖ structure');
    expect(text.stdout).toMatch(/✖ tools.*unknown key "tools"\n\s+fix: remove it; known keys here: name, /);
    // The root problems do not hide the resource's own: `modle` is reported in the same pass.
    expect(text.stdout).toMatch(/✖ resources\.llm\.modle.*unknown key "modle"\n\s+fix: did you mean "model"\?/);
  });

  it('graph problems: a missing plugin module and a missing resource dependency, exit 1', async () => {
    const directory = project({
      'agent.yaml': 'plugins:\n  - ./plugins/missing.ts\n  - ./plugins/audit.ts\n',
      'plugins/audit.ts': AUDIT,
    });
    const result = await entity(['validate'], { cwd: directory });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✔ structure');
    expect(result.stdout).toContain('✖ graph');
    expect(result.stdout).toContain('plugins.0');
    expect(result.stdout).toContain('plugin module "./plugins/missing.ts" not found');
    expect(result.stdout).toContain('plugin "audit" needs resource "audit_log", which is not configured');
    expect(result.stdout).toContain('fix: add "audit_log" under resources');
  });

  it('--runtime adds the connectivity checks: an unreachable Postgres is a runtime problem, exit 1', async () => {
    const directory = project({ 'agent.yaml': VALID, 'plugins/greeter.ts': GREETER, 'tools/add.ts': ADD_TOOL });
    const result = await entity(['validate', '--runtime', '--json'], { cwd: directory, timeoutMs: 90_000 });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.phases).toEqual(['structure', 'graph', 'runtime']);
    const memory = report.issues.find((issue: { path: string }) => issue.path === 'resources.memory');
    expect(memory).toMatchObject({ phase: 'runtime' });
    expect(memory.message).toMatch(/127\.0\.0\.1:1/);
    expect(report.issues.every((issue: { phase: string }) => issue.phase === 'runtime')).toBe(true);
  });

  it('YAML syntax errors name the line; no config at all is a usage error (exit 2)', async () => {
    const broken = project({ 'agent.yaml': 'name: a\nresources:\n  llm: [unclosed\n' });
    const syntax = await entity(['validate'], { cwd: broken });
    expect(syntax.code).toBe(1);
    expect(syntax.stdout).toMatch(/line \d+/);
    const empty = await entity(['validate'], { cwd: project() });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no agent.yaml (or agent.config.ts, agent.config.mts, agent.config.js, agent.config.mjs) in');
  });
});

describe('entity validate: configs written as TypeScript or JavaScript', () => {
  const TS_CONFIG = `import type { AgentConfig } from '@entity/core';
const model: string = 'gpt-4o-mini';
export default {
  name: 'typed',
  resources: { llm: { type: 'openai', model, baseURL: 'http://127.0.0.1:1/v1', apiKey: 'sk-test' } },
  plugins: ['./tools/add.ts'],
} satisfies Partial<AgentConfig>;
`;

  it('agent.config.ts (types stripped by Node) is found in the folder and checked like agent.yaml, exit 0', async () => {
    const directory = project({ 'agent.config.ts': TS_CONFIG, 'tools/add.ts': ADD_TOOL });
    const result = await entity(['validate'], { cwd: directory });
    expect(result.stdout).toContain('agent.config.ts');
    expect(result.stdout).toContain('Valid.');
    expect(result.code).toBe(0);
  });

  it('agent.config.mjs exporting a function: every problem reported with its path, exit 1', async () => {
    const directory = project({
      'agent.config.mjs': "export default async () => ({ maxIteration: 3, resources: { llm: { type: 'openai', modle: 'x' } }, server: { prot: 1 } });\n",
    });
    const result = await entity(['validate', 'agent.config.mjs', '--json'], { cwd: directory });
    expect(result.code).toBe(1);
    const issues = JSON.parse(result.stdout).issues.map((issue: { path: string; fix: string }) => `${issue.path}: ${issue.fix}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'maxIteration: did you mean "maxIterations"?',
        'resources.llm.modle: did you mean "model"?',
        'server.prot: did you mean "port"?',
      ]),
    );
  });

  it('a module that is not named as a config, or exports no object, gets a usage error that says what to do', async () => {
    const directory = project({ 'agent.config.js': 'export default 42;\n', 'main.ts': 'export default {};\n' });
    const notObject = await entity(['validate', 'agent.config.js'], { cwd: directory });
    expect(notObject.code).toBe(2);
    expect(notObject.stderr).toContain('does not export a config object');
    const other = await entity(['validate', 'main.ts'], { cwd: directory });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('agent.config.ts');
  });
});

describe('entity graph', () => {
  const files = { 'agent.yaml': VALID, 'plugins/greeter.ts': GREETER, 'tools/add.ts': ADD_TOOL };

  it('prints Mermaid: stages in order with their plugins, resources and who uses them', async () => {
    const result = await entity(['graph'], { cwd: project(files) });
    expect(result.code).toBe(0);
    const mermaid = result.stdout;
    expect(mermaid.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid).toContain('stage_PARSE --> stage_THINK --> stage_DO --> stage_REVIEW --> stage_DELIVER');
    expect(mermaid).toMatch(/p_THINK_greeter\["1\. greeter.*\n.*p_THINK_entity_chat\["2\. entity:chat/);
    expect(mermaid).toContain('p_DO_tool_add["1. tool:add');
    expect(mermaid).toContain('r_llm[("llm")]');
    expect(mermaid).toContain('p_THINK_greeter -.-> r_llm');
    expect(mermaid).not.toContain('stage_ERROR');
  });

  it('--format dot prints Graphviz; --json the description; a bad format is a usage error', async () => {
    const directory = project(files);
    const dot = await entity(['graph', '--format', 'dot'], { cwd: directory });
    expect(dot.code).toBe(0);
    expect(dot.stdout).toMatch(/^digraph "shop" \{/);
    expect(dot.stdout).toContain('"THINK:greeter" -> "THINK:entity:chat";');
    expect(dot.stdout).toContain('"resource:memory" [label="memory", shape=cylinder];');
    const json = await entity(['graph', '--json'], { cwd: directory });
    const description = JSON.parse(json.stdout);
    expect(description.stages.find((stage: { stage: string }) => stage.stage === 'THINK').plugins.map((plugin: { name: string }) => plugin.name)).toEqual(['greeter', 'entity:chat']);
    expect(description.tools).toEqual([{ name: 'add', plugin: 'tool:add', description: 'Add two numbers' }]);
    const bad = await entity(['graph', '--format', 'png'], { cwd: directory });
    expect(bad.code).toBe(2);
  });

  it('draws the iteration loop: after DELIVER a run starts over at PARSE until a plugin responds', async () => {
    const directory = project(files);
    const mermaid = await entity(['graph'], { cwd: directory });
    expect(mermaid.stdout).toContain('stage_DELIVER -.->|"no reply yet: next iteration (≤ maxIterations)"| stage_PARSE');
    const dot = await entity(['graph', '--format', 'dot'], { cwd: directory });
    expect(dot.stdout).toContain('"DELIVER:entity:respond" -> "PARSE:entity:load-conversation" [style=dashed, constraint=false, label="no reply yet: next iteration (≤ maxIterations)"];');
  });

  it('needs no API key to draw: an llm that cannot be created yet is drawn, with a warning, exit 0', async () => {
    const directory = project({ 'agent.yaml': 'resources:\n  llm:\n    type: openai\n    model: gpt-4o-mini\n' });
    const result = await entity(['graph'], { cwd: directory });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('r_llm[("llm")]');
    expect(result.stdout).toContain('p_THINK_entity_chat -.-> r_llm');
    expect(result.stderr).toContain('warning: resources.llm is drawn without its dependencies');
    expect(result.stderr).toContain('OPENAI_API_KEY');
  });

  it('reports a resource dependency cycle: drawn as "cycle!", named on stderr, exit 1', async () => {
    const directory = project({
      'agent.yaml': 'resources:\n  memory:\n    type: pglite\n    path: memory://cycle\n    embedder: llm\n    embeddingResource: metrics\n  metrics:\n    type: metrics\n    memory: memory\n',
    });
    const result = await entity(['graph'], { cwd: directory });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('r_memory -.->|"cycle!"| r_metrics');
    expect(result.stdout).toContain('r_metrics -.->|"cycle!"| r_memory');
    expect(result.stderr).toContain('error: resource dependency cycle: memory → metrics → memory');
    const json = JSON.parse((await entity(['graph', '--json'], { cwd: directory })).stdout);
    expect(json.cycles).toEqual([['memory', 'metrics', 'memory']]);
  });

  it('zero config: resources the plugins need are drawn as defaults', async () => {
    const result = await entity(['graph'], { cwd: project({ 'tools/add.ts': ADD_TOOL }) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('r_llm[("llm (default)")]');
    expect(result.stdout).toContain('r_memory[("memory (default)")]');
  });

  it('validate prints config issues without the terminal controls a config value may hold', async () => {
    const directory = project({ 'agent.yaml': 'name: bot\n"ev\\e]0;PWNED\\a\\e[2Jil": 1\n' });
    const text = await entity(['validate'], { cwd: directory, env: { FORCE_COLOR: '1' } });
    expect(text.code).toBe(1);
    const shown = withoutOwnColour(text.stdout);
    expect(shown).toContain('unknown key "evil"');
    expect(shown).not.toMatch(TERMINAL_CONTROL);
  });
});
