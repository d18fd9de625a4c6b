import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// The YAML config schemas are built on first use: an app that builds its LLM in code never pays for
// them at import. The package is imported dynamically below, after the counter is set, and Vitest
// gives each test file fresh modules.

/** Counts zod schemas built while `load` runs: zod 4 installs `_zod` on every new schema. */
async function schemasBuiltDuring(load: () => Promise<unknown>): Promise<number> {
  const defineProperty = Object.defineProperty;
  let built = 0;
  Object.defineProperty = function counting(target: object, key: PropertyKey, descriptor: PropertyDescriptor) {
    if (key === '_zod') built++;
    return defineProperty(target, key, descriptor);
  } as typeof Object.defineProperty;
  try {
    await load();
  } finally {
    Object.defineProperty = defineProperty;
  }
  return built;
}

describe('lazy config schemas', () => {
  it('builds no zod schema while the package loads, and the config schemas on first use', async () => {
    // The counter must see schemas being built, or a zero below would prove nothing.
    expect(await schemasBuiltDuring(async () => z.object({ a: z.string() }))).toBeGreaterThanOrEqual(2);

    let llm: typeof import('../src/index.js') | undefined;
    expect(await schemasBuiltDuring(async () => (llm = await import('../src/index.js')))).toBe(0);
    expect(await schemasBuiltDuring(async () => llm!.resourceTypes.find((type) => type.type === 'openai')!.configSchema.safeParse({ model: 'm' }))).toBeGreaterThan(10);
  });

  it('exports schemas that behave as zod objects', async () => {
    const { openaiConfigSchema, fallbackConfigSchema, ollamaConfigSchema } = await import('../src/index.js');
    expect(openaiConfigSchema).toBeInstanceOf(z.ZodObject);
    expect(Object.keys(fallbackConfigSchema.shape)).toEqual(['providers']);
    expect(openaiConfigSchema.safeParse({ model: 'm', temprature: 1 }).error?.issues).toEqual([
      expect.objectContaining({ code: 'unrecognized_keys', keys: ['temprature'], path: [] }),
    ]);
    expect(() => ollamaConfigSchema.parse({ model: 'm', timeoutMs: -1 })).toThrow(z.ZodError);
    expect(z.toJSONSchema(openaiConfigSchema).properties?.model).toEqual({
      type: 'string',
      minLength: 1,
      description: 'Model name, e.g. gpt-4o-mini, claude-haiku-4-5, llama3.2:3b.',
    });
    expect(openaiConfigSchema.extend({ type: z.literal('openai') }).parse({ type: 'openai', model: 'm' })).toEqual({ type: 'openai', model: 'm' });
  });
});
