import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// Building zod schemas costs milliseconds each; a code-only agent (no YAML) must not pay for the
// config schemas when it imports @entity/core. Nothing else is imported before the counter is set
// (core is imported dynamically below), and Vitest gives each test file fresh modules.

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
  it('builds no zod schema while @entity/core loads, and agentConfigSchema on its first use', async () => {
    // The counter must see schemas being built, or a zero below would prove nothing.
    expect(await schemasBuiltDuring(async () => z.object({ a: z.string() }))).toBeGreaterThanOrEqual(2);

    let core: typeof import('../src/index.js') | undefined;
    expect(await schemasBuiltDuring(async () => (core = await import('../src/index.js')))).toBe(0);
    expect(await schemasBuiltDuring(async () => core!.agentConfigSchema.shape)).toBeGreaterThan(10);
  });

  it('agentConfigSchema behaves as the schema it stands for', async () => {
    const { agentConfigSchema } = await import('../src/index.js');
    const { configSchemas } = await import('../src/config/config-schema.js');
    const built = configSchemas().agentConfigSchema;
    expect(agentConfigSchema).toBeInstanceOf(z.ZodObject);
    expect(Object.keys(agentConfigSchema.shape)).toEqual(Object.keys(built.shape));
    expect(z.toJSONSchema(agentConfigSchema, { io: 'input' })).toEqual(z.toJSONSchema(built, { io: 'input' }));

    const invalid = { nme: 'typo', maxIterations: 0, resources: { llm: {} } };
    expect(agentConfigSchema.safeParse(invalid).error?.issues).toEqual(built.safeParse(invalid).error?.issues);
    expect(() => agentConfigSchema.parse(invalid)).toThrow(z.ZodError);
    expect(agentConfigSchema.parse({ name: 'a' })).toEqual({ name: 'a', resources: {}, plugins: [] });
    expect(agentConfigSchema.extend({ extra: z.string() }).parse({ extra: 'x' })).toEqual({ extra: 'x', resources: {}, plugins: [] });
  });

  it('refuses Object.freeze with a TypeError and stays usable (a frozen proxy target broke every key listing)', async () => {
    const { agentConfigSchema } = await import('../src/index.js');
    expect(() => Object.freeze(agentConfigSchema)).toThrow(TypeError);
    expect(Object.isFrozen(agentConfigSchema)).toBe(false);
    expect(() => Object.keys(agentConfigSchema)).not.toThrow();
    expect(JSON.stringify(agentConfigSchema).length).toBeGreaterThan(0);
    expect(z.object({ agent: agentConfigSchema }).parse({ agent: { name: 'a' } }).agent.name).toBe('a');
  });
});
