import type { ResourceType } from '@entity/core';
import { KNOWN_RESOURCE_PACKAGES } from '@entity/core/internal';
import { describe, expect, it } from 'vitest';
import { DatabaseMemory, defaultMemory, resourceTypes } from '../src/index.js';

const byType = (type: string) => resourceTypes.find((candidate) => candidate.type === type) as ResourceType;

describe('resource types for YAML', () => {
  it('registers pglite and postgres under this package, as core expects', () => {
    expect(resourceTypes.map((type) => type.type).sort()).toEqual(['pglite', 'postgres']);
    for (const type of resourceTypes) {
      expect(type.packageName).toBe('@entity/resources-memory');
      expect(KNOWN_RESOURCE_PACKAGES[type.type]).toBe('@entity/resources-memory');
    }
  });

  it('accepts a full pglite block and creates a memory without opening anything', async () => {
    const config = byType('pglite').configSchema.parse({
      path: './data/memory',
      dimensions: 256,
      embedder: 'hashing',
      efSearch: 64,
      retention: { maxAgeMs: 86_400_000, maxMessagesPerConversation: 500 },
      resilience: { timeoutMs: 5_000, retries: 1 },
    });
    const memory = await byType('pglite').create(config);
    expect(memory).toBeInstanceOf(DatabaseMemory);
    expect((memory as DatabaseMemory).optionalDependencies).toEqual([]);
  });

  it('rejects unknown keys and bad values with their paths', () => {
    const pglite = byType('pglite').configSchema.safeParse({ path: 'x', dimension: 384, retention: { maxAge: 5 } });
    expect(pglite.success).toBe(false);
    expect(JSON.stringify(pglite.error?.issues)).toMatch(/dimension/);
    const postgres = byType('postgres').configSchema.safeParse({ url: 'mysql://root:Sup3r-Secret@db/app', poolSize: 0 });
    expect(postgres.success).toBe(false);
    const paths = postgres.error!.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['url', 'poolSize']));
    expect(JSON.stringify(postgres.error!.issues.map((issue) => issue.message))).not.toContain('Sup3r-Secret');
    expect(byType('postgres').configSchema.safeParse({}).success).toBe(false);
    expect(byType('postgres').configSchema.safeParse({ url: 'postgres://u@h/db', schema: 'x; DROP' }).success).toBe(false);
  });

  it('creates a postgres memory from a minimal block', async () => {
    const config = byType('postgres').configSchema.parse({ url: 'postgres://agent:pw@db.internal:5432/app', poolSize: 4 });
    expect(await byType('postgres').create(config)).toBeInstanceOf(DatabaseMemory);
  });

  it('defaults to PGlite under ./.entity/memory with the llm as optional embedding source', () => {
    const memory = defaultMemory();
    expect(memory.optionalDependencies).toEqual(['llm']);
  });
});
