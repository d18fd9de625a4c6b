import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Source of an agent with `count` typed tools and `count` typed plugins, plus checks that inference holds. */
export function manyToolsSource(count: number): string {
  const lines = [`import { z } from 'zod';`, `import { Agent, defineTool, definePlugin, type ToolContext } from '@entity/core';`, ''];
  for (let i = 0; i < count; i++) {
    lines.push(
      `export const tool${i} = defineTool({`,
      `  name: 'tool_${i}', description: 'Tool ${i}',`,
      `  input: z.object({ amount${i}: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),`,
      `  execute: ({ amount${i}, nested }) => ({ doubled: amount${i} * 2, flag: nested.flag, tags: nested.tags.length }),`,
      `});`,
      `export const plugin${i} = definePlugin({`,
      `  name: 'plugin-${i}', kind: 'prompt',`,
      `  config: z.object({ threshold: z.number().default(${i}), mode: z.enum(['fast', 'careful']).default('fast') }),`,
      `  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },`,
      `});`,
    );
  }
  const all = (prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}${i}`).join(', ');
  lines.push(
    '',
    `export const agent = new Agent({ tools: [${all('tool')}], plugins: [${all('plugin')}], zeroConfig: false });`,
    `declare const context: ToolContext;`,
    `const result = await tool0.execute({ amount0: 1, nested: { flag: true, tags: ['a'] } }, context);`,
    `const doubled: number = result.doubled;`,
    `// @ts-expect-error amount0 must be a number: inference of the input schema must not degrade to any`,
    `void tool0.execute({ amount0: 'one', nested: { flag: true, tags: [] } }, context);`,
    `// @ts-expect-error the result has no such field`,
    `void result.missing;`,
    `// @ts-expect-error tags only accepts the enum values`,
    `void tool${count - 1}.execute({ amount${count - 1}: 1, nested: { flag: true, tags: ['c'] } }, context);`,
    `export { doubled };`,
  );
  return lines.join('\n');
}

/** Writes the project into test/.generated and type-checks it with tsc; returns exit code, output and seconds. */
export function typeCheckManyTools(count: number): { status: number | null; output: string; seconds: number } {
  const dir = join(packageDir, 'test', '.generated');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'many-tools.ts'), manyToolsSource(count));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../../../tooling/tsconfig/base.json', compilerOptions: { noEmit: true, declaration: false, declarationMap: false }, files: ['many-tools.ts'] }),
  );
  const started = performance.now();
  const tsc = spawnSync(process.execPath, [join(packageDir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--extendedDiagnostics'], { encoding: 'utf8' });
  return { status: tsc.status, output: `${tsc.stdout}${tsc.stderr}`, seconds: (performance.now() - started) / 1000 };
}
