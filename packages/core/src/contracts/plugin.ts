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
  /**
   * For config files: turns paths in the plugin's raw config (YAML) into absolute ones, relative to
   * the config file's folder, before the config is validated; throws a `ConfigError` (paths under
   * `config.`) for a path it refuses. Without it, relative paths are the plugin's business.
   */
  resolveConfigPaths?(config: unknown, baseDir: string): unknown;
  /** Tools this plugin exposes. Registration is permission: only registered tools can be called. */
  readonly tools?: readonly Tool<any, unknown>[];
  /**
   * Builds the plugin its config describes, for a plugin whose tools or dependencies depend on
   * its config (`tools: [calculator, fetch]` in agent.yaml): registration parses the config, calls
   * this once with the parsed value and registers the returned plugin — its tools, dependencies
   * and stages — instead of this one. The result must keep this plugin's name and kind; its own
   * `configure` is not called. Because the tools were built from that config, a hot reload that
   * changes the config of such a plugin is refused with "restart required".
   */
  configure?(config: TConfig): Plugin<TConfig>;
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
