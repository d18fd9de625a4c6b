import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { entity, project, TERMINAL_CONTROL, withoutOwnColour } from './helpers.js';

const VITEST = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
/** The compiler settings of a project `entity init` writes, so the samples type-check where users put them. */
const PROJECT_TSCONFIG = {
  compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, allowImportingTsExtensions: true, verbatimModuleSyntax: true, skipLibCheck: true, types: [] },
  include: ['plugins'],
};
const KINDS = ['tool', 'prompt', 'input', 'output', 'failure'] as const;
const EXPECTED_STAGES = { tool: ['DO'], prompt: ['THINK'], input: ['PARSE'], output: ['PARSE', 'DELIVER'], failure: ['ERROR'] } as const;

describe('entity plugin new / analyze', () => {
  it('generates a plugin and a passing test for every kind, and analyze reports their stages', async () => {
    const directory = project();
    for (const kind of KINDS) {
      const result = await entity(['plugin', 'new', `my-${kind}`, '--kind', kind], { cwd: directory });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`plugins/my-${kind}.ts`);
      expect(existsSync(join(directory, 'plugins', `my-${kind}.test.ts`))).toBe(true);
    }
    for (const kind of KINDS) {
      const result = await entity(['plugin', 'analyze', `plugins/my-${kind}.ts`, '--json'], { cwd: directory });
      expect(result.code).toBe(0);
      const [plugin] = JSON.parse(result.stdout).plugins.filter((found: { form: string }) => found.form === 'plugin');
      expect(plugin).toMatchObject({ name: `my-${kind}`, kind, stages: EXPECTED_STAGES[kind], source: kind === 'output' ? 'explicit' : 'kind-default' });
      // The output sample also settles /ping in PARSE; it keeps its kind's DELIVER, so no warning.
      expect(plugin.warning).toBeUndefined();
    }
    // The generated plugins and tests type-check under an `entity init` project's settings.
    writeFileSync(join(directory, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify(PROJECT_TSCONFIG));
    const typecheck = await promisify(execFile)(process.execPath, [TSC, '-p', directory], { cwd: directory }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(typecheck).toBe('');
    // The generated tests run against the real engine with a scripted model, and pass.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'));
    const reportFile = join(directory, 'report.json');
    await promisify(execFile)(process.execPath, [VITEST, 'run', '--root', directory, '--reporter', 'json', '--outputFile', reportFile], { cwd: directory, env }).catch(() => {});
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBe(7);
  }, 120_000);

  it('refuses to overwrite, bad names and unknown kinds (exit 2)', async () => {
    const directory = project();
    expect((await entity(['plugin', 'new', 'weather', '--kind', 'tool'], { cwd: directory })).code).toBe(0);
    const again = await entity(['plugin', 'new', 'weather', '--kind', 'tool'], { cwd: directory });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exist');
    expect((await entity(['plugin', 'new', 'weather', '--kind', 'tool', '--force'], { cwd: directory })).code).toBe(0);
    expect((await entity(['plugin', 'new', 'Bad_Name'], { cwd: directory })).code).toBe(2);
    const kind = await entity(['plugin', 'new', 'store', '--kind', 'resource'], { cwd: directory });
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('unknown kind "resource"');
  });

  it('analyze explains explicit stages (with the warning), inferred stages of functions, and tools', async () => {
    const directory = project({
      'mixed.ts': `import { definePlugin, defineTool } from '@entity/core';
import { z } from 'zod';
export const reviewer = definePlugin({ name: 'reviewer', kind: 'prompt', stages: ['REVIEW'], dependencies: ['llm', 'memory'], execute() {} });
export const lookup = defineTool({ name: 'lookup', description: 'Look up', input: z.object({ q: z.string() }), execute: ({ q }) => q });
export async function answer(ctx) { ctx.respond('done'); }
export async function fetchAll(ctx) { await ctx.tool('lookup', { q: 'x' }); }
export const helperConstant = 42;
`,
    });
    const result = await entity(['plugin', 'analyze', 'mixed.ts', '--json'], { cwd: directory });
    expect(result.code).toBe(0);
    const byName = Object.fromEntries(JSON.parse(result.stdout).plugins.map((plugin: { name: string }) => [plugin.name, plugin]));
    expect(byName.reviewer).toMatchObject({ stages: ['REVIEW'], source: 'explicit', dependencies: ['llm', 'memory'] });
    expect(byName.reviewer.warning).toContain('instead of its default THINK');
    expect(byName['tool:lookup']).toMatchObject({ form: 'tool', stages: ['DO'], tools: ['lookup'] });
    expect(byName.answer).toMatchObject({ form: 'function', stages: ['DELIVER'], source: 'inferred' });
    expect(byName.answer.reason).toContain('respond()');
    expect(byName.fetchAll).toMatchObject({ stages: ['DO'], source: 'inferred' });
    expect(Object.keys(byName)).toHaveLength(4);
    const text = await entity(['plugin', 'analyze', 'mixed.ts'], { cwd: directory });
    expect(text.stdout).toMatch(/reviewer .*\n\s+kind\s+prompt\n\s+stages\s+REVIEW\s+\[explicit\]/);
  });

  it('a file without plugins exits 1; a missing file exits 2', async () => {
    const directory = project({ 'empty.ts': 'export const value = 1;\n' });
    const none = await entity(['plugin', 'analyze', 'empty.ts'], { cwd: directory });
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('No plugins');
    expect((await entity(['plugin', 'analyze', 'nope.ts'], { cwd: directory })).code).toBe(2);
    expect(readFileSync(join(directory, 'empty.ts'), 'utf8')).toBe('export const value = 1;\n');
  });

  it('analyze prints names from the analysed module without terminal controls', async () => {
    const directory = project({
      'hostile.ts': `export const hostile = Object.assign(async function (ctx) { ctx.respond('x'); }, { pluginName: 'evil\\u001b]0;PWNED\\u0007\\u001b[2J\\rplugin' });\n`,
    });
    const text = await entity(['plugin', 'analyze', 'hostile.ts'], { cwd: directory, env: { FORCE_COLOR: '1' } });
    expect(text.code, text.stderr).toBe(0);
    const shown = withoutOwnColour(text.stdout);
    expect(shown).toContain('evilplugin');
    expect(shown).not.toMatch(TERMINAL_CONTROL);
  });
});
