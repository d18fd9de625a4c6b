import type { Memory } from '@entity/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationCases } from './conversation-cases.js';
import { keyValueCases } from './key-value-cases.js';
import { sqlCases } from './sql-cases.js';
import { vectorCases } from './vector-cases.js';

export interface MemoryConformanceOptions {
  /**
   * Returns a started memory. Called once per suite — opening a database can take seconds —
   * and every test isolates itself with fresh user ids, so the memory may hold other data.
   */
  setup: () => Promise<Memory> | Memory;
  /** Releases it. Default: `memory.stop()`. */
  teardown?: (memory: Memory) => Promise<void> | void;
  /** Optional capabilities to test; each one listed must be present (the suite fails otherwise). */
  capabilities?: { vectors?: boolean; database?: boolean };
}

/**
 * The behaviour every `Memory` shares, as one Vitest suite: key-value, conversations
 * (including 100 concurrent appends), user isolation, SQL-injection attempts, and — when
 * present — vector search and SQL/migrations. Usage:
 *
 * ```ts
 * describeMemoryConformance('pglite', { setup: async () => { const m = pgliteMemory({ path }); await m.start(); return m; } });
 * ```
 */
export function describeMemoryConformance(name: string, options: MemoryConformanceOptions): void {
  describe(`Memory conformance: ${name}`, () => {
    let memory: Memory | undefined;
    const current = () => {
      if (!memory) throw new Error('The memory did not start; see the error in beforeAll');
      return memory;
    };
    beforeAll(async () => {
      memory = await options.setup();
    });
    afterAll(async () => {
      if (!memory) return;
      await (options.teardown ? options.teardown(memory) : memory.stop?.());
    });

    it('provides the capabilities it promises', () => {
      if (options.capabilities?.vectors) expect(current().vectors, 'vectors').toBeDefined();
      if (options.capabilities?.database) expect(current().database, 'database').toBeDefined();
    });

    keyValueCases(current);
    conversationCases(current);
    // Vectors and SQL are optional parts of the Memory contract: a memory that does not offer
    // them has no such cases, rather than skipped ones.
    if (options.capabilities?.vectors) {
      describe('vector search', () => {
        vectorCases(() => current().vectors!);
      });
    }
    if (options.capabilities?.database) {
      describe('sql', () => {
        sqlCases(() => current().database!);
      });
    }
  });
}
