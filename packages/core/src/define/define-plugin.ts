import type { output as ZodOutput, ZodType } from 'zod';
import type { Context } from '../contracts/context.js';
import type { Plugin, PluginInitContext, PluginKind } from '../contracts/plugin.js';
import type { Stage } from '../contracts/stage.js';
import type { Tool } from '../contracts/tool.js';
import { ConfigError } from '../errors/index.js';

const PLUGIN_NAME = /^[a-z0-9][a-z0-9._:/-]*$/i;

export interface PluginSpec<TConfig> {
  name: string;
  kind: PluginKind;
  stages?: readonly Stage[];
  dependencies?: readonly string[];
  description?: string;
  /** Zod schema of the plugin's config; `execute` receives the parsed value. */
  config?: ZodType<TConfig>;
  tools?: readonly Tool<any, unknown>[];
  /** Builds the plugin a config describes (tools, dependencies); see {@link Plugin.configure}. */
  configure?(config: TConfig): Plugin<TConfig>;
  init?(context: PluginInitContext<TConfig>): Promise<void> | void;
  shutdown?(): Promise<void> | void;
  execute?(context: Context, config: TConfig): Promise<void> | void;
}

/** Defines a plugin (Layer 2). The config type is inferred from the `config` schema (generic over the schema, which keeps type-checking cheap). */
export function definePlugin<TSchema extends ZodType = ZodType<undefined>>(
  spec: Omit<PluginSpec<ZodOutput<TSchema>>, 'config'> & { config?: TSchema },
): Plugin<ZodOutput<TSchema>> {
  if (!PLUGIN_NAME.test(spec.name)) {
    throw new ConfigError([
      {
        path: `plugins.${spec.name}`,
        message: `"${spec.name}" is not a valid plugin name`,
        fix: 'start with a letter or digit; use letters, digits, ".", "_", ":", "/" or "-"',
      },
    ]);
  }
  if (spec.kind !== 'tool' && spec.kind !== 'resource' && !spec.execute) {
    throw new ConfigError([
      { path: `plugins.${spec.name}`, message: `a ${spec.kind} plugin needs an execute function`, fix: 'add execute(ctx) { ... }' },
    ]);
  }
  const { config, ...rest } = spec;
  return (config === undefined ? rest : { ...rest, configSchema: config }) as Plugin<ZodOutput<TSchema>>;
}
