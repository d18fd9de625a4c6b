import type { ZodType } from 'zod';
import type { Instrumentation } from './instrumentation.js';
import type { Logger } from './logger.js';

/** What a resource receives when it starts. */
export interface ResourceStartContext {
  /** The name it is registered under (`llm`, `reasoning_llm`, ...). */
  name: string;
  /** Resources it declared in `dependencies`, already started. */
  resource<T = unknown>(name: string): T;
  /** Whether an optional dependency is present. */
  has(name: string): boolean;
  log: Logger;
  /**
   * Aborts when the agent stops. A `start()` still running then should give up (pass the signal
   * to what it awaits): `stop()` waits for it at most `stopTimeoutMs`, then stops what did start.
   */
  signal: AbortSignal;
}

/** Health of one resource, as reported by `healthCheck()`. */
export interface HealthReport {
  healthy: boolean;
  /** What was checked and, when unhealthy, what to do about it. */
  message: string;
  details?: Record<string, unknown>;
}

/**
 * Shared infrastructure created once per agent and injected into plugins by name.
 * Every hook is optional: a plain object with methods is a valid resource.
 */
export interface Resource {
  /** Names of resources that must start before this one. Missing ones are an error before anything starts. */
  readonly dependencies?: readonly string[];
  /** Names of resources used when present (e.g. metrics persisting to `memory`), started first if they exist. */
  readonly optionalDependencies?: readonly string[];
  start?(context: ResourceStartContext): Promise<void> | void;
  stop?(): Promise<void> | void;
  /** When present, the agent attaches it as an observer of every run, stage, plugin, tool and resource call. */
  readonly instrumentation?: Instrumentation;
  /** Connectivity/runtime check used by `validate({ runtime: true })` and `entity doctor`. */
  healthCheck?(): Promise<HealthReport>;
  /**
   * Applies new parameters (from a hot reload) without a restart. Resources without it need a
   * restart to change parameters. The config is the resource type's validated YAML block.
   */
  reconfigure?(config: unknown): Promise<void> | void;
}

/**
 * A resource type selectable from YAML (`type: openai`). Packages export a list of these as
 * `resourceTypes`, and the config loader finds them by `type`.
 */
export interface ResourceType<TConfig = unknown, TResource extends Resource = Resource> {
  /** Globally unique type name used in YAML: `openai`, `pglite`, `s3`, ... */
  type: string;
  /** Package that provides it, used in "install X" messages. */
  packageName: string;
  /** Validates the YAML block (without `type`). Unknown keys should be rejected (`.strict()`). */
  configSchema: ZodType<TConfig>;
  create(config: TConfig): TResource | Promise<TResource>;
  /**
   * Makes the file paths of a validated block absolute, from the config file's folder (defaults
   * included), so `entity run sub/agent.yaml` from another folder uses the same files. Without
   * it, relative paths are left to `create`, which resolves them from the working directory.
   */
  resolvePaths?(config: TConfig, baseDir: string): TConfig;
}

/** Where the config loader finds a type it was not given: `type` → package exporting `resourceTypes`. */
export const KNOWN_RESOURCE_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  openai: '@entity/resources-llm',
  anthropic: '@entity/resources-llm',
  ollama: '@entity/resources-llm',
  fallback: '@entity/resources-llm',
  pglite: '@entity/resources-memory',
  postgres: '@entity/resources-memory',
  local: '@entity/resources-storage',
  s3: '@entity/resources-storage',
  memory: '@entity/resources-storage',
  pino: '@entity/logging',
  logging: '@entity/logging',
  metrics: '@entity/metrics',
});
