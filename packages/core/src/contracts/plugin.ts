import type { ZodType } from 'zod';
import type { Context } from './context.js';
import type { Logger } from './logger.js';
import type { Stage } from './stage.js';
import type { Tool } from './tool.js';

/**
 * What a plugin is for. The kind decides the default stage:
 * prompt → THINK, tool → DO, input → PARSE, output → DELIVER, failure → ERROR;
 * `resource` plugins provide infrastructure and never run in a stage.
 */
export type PluginKind = 'prompt' | 'tool' | 'input' | 'output' | 'failure' | 'resource';

export const DEFAULT_STAGE_BY_KIND: Readonly<Record<Exclude<PluginKind, 'resource'>, Stage>> = Object.freeze({
  input: 'PARSE',
  prompt: 'THINK',
  tool: 'DO',
  output: 'DELIVER',
  failure: 'ERROR',
});

/** What `init` receives. */
export interface PluginInitContext<TConfig = unknown> {
  config: TConfig;
  resource<T = unknown>(name: string): T;
  has(name: string): boolean;
  log: Logger;
  /**
   * Aborts when the agent stops. An `init` still running then should give up (pass the signal to
   * what it awaits): `stop()` waits for it at most `stopTimeoutMs`, then stops what did start and
   * leaves it behind.
   */
  signal: AbortSignal;
}

/**
 * The one shape of every extension, built-in or user-written.
 * Names are unique within an agent; built-ins use the `entity:` namespace.
 */
export interface Plugin<TConfig = unknown> {
  readonly name: string;
  readonly kind: PluginKind;
  /** Explicit stages; they win over the kind's default. */
  readonly stages?: readonly Stage[];
  /** Resource names the plugin needs; checked before the agent starts. */
  readonly dependencies?: readonly string[];
  readonly description?: string;
  /** Validates the plugin's config (from code or YAML). */
  readonly configSchema?: ZodType<TConfig>;
  /** Tools this plugin exposes. Registration is permission: only registered tools can be called. */
  readonly tools?: readonly Tool<any, unknown>[];
  /**
   * Tools that depend on the plugin's config (an allow-list written in agent.yaml): called once at
   * registration with the parsed config; what it returns is registered next to `tools`, under the
   * same rule (registration is permission). Keep it free of I/O: `entity validate` calls it too.
   */
  toolsFromConfig?(config: TConfig): readonly Tool<any, unknown>[];
  init?(context: PluginInitContext<TConfig>): Promise<void> | void;
  shutdown?(): Promise<void> | void;
  execute?(context: Context, config: TConfig): Promise<void> | void;
}

/** A plugin together with its registration options. */
export interface PluginRegistration<TConfig = unknown> {
  plugin: Plugin<TConfig>;
  /** Raw config (validated against `configSchema` at registration). */
  config?: unknown;
  /** Overrides the plugin's stages for this agent. */
  stages?: readonly Stage[];
}
