import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineTool, definePlugin, type ToolContext } from '../../src/index.js';
import { typeCheckManyTools } from './many-tools-project.js';

describe('types stay light', () => {
  it('type-checks an agent with 50 typed tools and 50 typed plugins without errors', () => {
    const { status, output } = typeCheckManyTools(50);
    expect(output).not.toMatch(/error TS/);
    expect(output).not.toMatch(/excessively deep/);
    expect(status).toBe(0);
  }, 120_000);

  it('infers tool input and output from the zod schema', () => {
    const tool = defineTool({ name: 'add', description: 'adds', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b });
    expectTypeOf(tool.execute).parameter(0).toEqualTypeOf<{ a: number; b: number }>();
    expectTypeOf(tool.execute).parameter(1).toEqualTypeOf<ToolContext>();
    expectTypeOf(tool.execute).returns.toEqualTypeOf<number | Promise<number>>();
  });

  it('infers plugin config from its schema, with defaults applied', () => {
    definePlugin({
      name: 'typed',
      kind: 'prompt',
      config: z.object({ limit: z.number().default(3) }),
      execute: (_ctx, config) => {
        expectTypeOf(config).toEqualTypeOf<{ limit: number }>();
      },
    });
  });
});
