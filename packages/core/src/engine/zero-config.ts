import type { LLM } from '../contracts/llm.js';
import type { Logger } from '../contracts/logger.js';
import type { Memory } from '../contracts/memory.js';
import type { Metrics } from '../contracts/metrics.js';
import type { Resource } from '../contracts/resource.js';
import type { Storage } from '../contracts/storage.js';
import { inMemoryLogger } from '../builtins/in-memory-logger.js';
import { inMemoryMemory } from '../builtins/in-memory-memory.js';
import { inMemoryMetrics } from '../builtins/in-memory-metrics.js';
import { importFromProject, importIfInstalled } from './project-import.js';
import type { ResourceContainer } from './resource-container.js';

/**
 * Fills in what a zero-config agent needs: the `llm` from `@entity/resources-llm`'s detection
 * (Ollama, then OpenAI, then Anthropic), memory from `@entity/resources-memory` (embedded
 * PGlite) or the in-process fallback, storage from `@entity/resources-storage` (local files).
 * Only resources some plugin needs are created; packages load only when used. Once `signal`
 * aborts (the agent stopped and gave up on this start) nothing more is added: a newer start may
 * be filling the same container, and a late `add` would collide with what it added.
 */
export async function fillDefaultResources(
  container: ResourceContainer,
  needed: ReadonlySet<string>,
  discover: boolean,
  projectDir?: string,
  signal: AbortSignal = new AbortController().signal,
  configDir?: string,
): Promise<void> {
  const add = (name: string, resource: Resource | object) => {
    signal.throwIfAborted();
    container.add(name, resource as Resource);
  };
  // Packages that predate `baseDir` ignore it and use the working directory.
  const where = configDir === undefined ? undefined : { baseDir: configDir };
  if (needed.has('llm') && !container.has('llm') && discover) {
    const module = await importFromProject<{ defaultLLM(): Promise<LLM> }>('@entity/resources-llm', 'The default "llm" resource', projectDir);
    add('llm', await module.defaultLLM());
  }
  if (!container.has('memory')) {
    const module = discover ? await importIfInstalled<{ defaultMemory(options?: { baseDir?: string }): Memory | Promise<Memory> }>('@entity/resources-memory', projectDir) : undefined;
    add('memory', module ? await module.defaultMemory(where) : inMemoryMemory());
  }
  if (needed.has('storage') && !container.has('storage') && discover) {
    const module = await importFromProject<{ defaultStorage(options?: { baseDir?: string }): Storage | Promise<Storage> }>(
      '@entity/resources-storage',
      'The default "storage" resource',
      projectDir,
    );
    add('storage', await module.defaultStorage(where));
  }
  if (!container.has('logging')) add('logging', inMemoryLogger({ level: 'warn', echoLevel: 'warn' }));
  if (!container.has('metrics')) {
    const module = discover ? await importIfInstalled<{ defaultMetrics?(): Metrics & Resource }>('@entity/metrics', projectDir) : undefined;
    add('metrics', module?.defaultMetrics ? module.defaultMetrics() : inMemoryMetrics());
  }
}

/** True for objects that implement the Logger contract (a logging resource may also be something else). */
export function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && typeof (value as Logger).child === 'function' && typeof (value as Logger).log === 'function';
}
