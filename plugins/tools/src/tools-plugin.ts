import { ConfigError, definePlugin, type Plugin, type Tool } from '@entity/core';
import { fileTools } from '@entity/resources-storage';
import type { AddressResolver } from './address-resolver.js';
import { calculatorTool } from './calculator-tool.js';
import { fetchTool } from './fetch-tool.js';
import type { ConnectTarget } from './guarded-fetch.js';
import { currentTimeTool } from './time-tool.js';
import { type ToolsConfig, toolsConfigSchema } from './tools-config.js';

/** What only code can pass (functions); everything else is config, the same in agent.yaml and in code. */
export interface ToolsPluginHooks {
  /** Resolves host names for `fetch_url`. Default: the system resolver. */
  resolve?: AddressResolver;
  /** Sees every connection `fetch_url` is about to open; throwing stops it. */
  beforeConnect?: (target: ConnectTarget) => void;
  /** The clock of `current_time`. Default: `() => new Date()`. */
  now?: () => Date;
}

// biome-ignore lint/suspicious/noExplicitAny: tools with different inputs share one list, like core's Plugin.tools.
function toolsFor(config: ToolsConfig, hooks: ToolsPluginHooks): Tool<any, unknown>[] {
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  const tools: Tool<any, unknown>[] = [];
  for (const name of config.tools) {
    if (name === 'calculator') tools.push(calculatorTool({ ...(config.calculator ? { maxLength: config.calculator.maxLength } : {}) }));
    if (name === 'time') tools.push(currentTimeTool({ ...(config.time ? { defaultTimeZone: config.time.defaultTimeZone } : {}), ...(hooks.now ? { now: hooks.now } : {}) }));
    if (name === 'fetch') {
      // The schema requires the section when fetch is chosen.
      const fetch = config.fetch!;
      tools.push(
        fetchTool({
          allowHosts: fetch.allowHosts,
          maxBytes: fetch.maxBytes,
          timeoutMs: fetch.timeoutMs,
          maxRedirects: fetch.maxRedirects,
          allowPrivateAddresses: fetch.allowPrivateAddresses,
          ...(hooks.resolve ? { resolve: hooks.resolve } : {}),
          ...(hooks.beforeConnect ? { beforeConnect: hooks.beforeConnect } : {}),
        }),
      );
    }
    if (name === 'files') {
      const files = config.files;
      try {
        tools.push(
          ...fileTools({
            resource: files?.resource ?? 'storage',
            scope: files?.scope ?? 'user',
            allowWrite: files?.readOnly !== true,
            ...(files?.maxReadBytes === undefined ? {} : { maxReadBytes: files.maxReadBytes }),
            ...(files?.quota === undefined ? {} : { quota: files.quota }),
          }),
        );
      } catch (error) {
        // fileTools checks the folder and quota itself; its paths (`scope.folder`) are under `files` here.
        if (ConfigError.isInstance(error)) throw new ConfigError(error.issues.map((issue) => ({ ...issue, path: `files.${issue.path}` })));
        throw error;
      }
    }
  }
  return tools;
}

/**
 * The built-in tools as one plugin, configured by data: `tools: [calculator, time, fetch, files]`
 * plus a section per tool. Only the tools the config names are registered (registration is
 * permission), and `files` adds a dependency on the storage resource. In agent.yaml:
 * `use: '@entity/plugin-tools'` with `config:`; in code register `toolsPlugin()` with a `config`.
 */
export function toolsPlugin(hooks: ToolsPluginHooks = {}): Plugin<ToolsConfig> {
  const build = (config: ToolsConfig | undefined): Plugin<ToolsConfig> => {
    const files = config?.tools.includes('files') ? (config.files?.resource ?? 'storage') : undefined;
    return definePlugin({
      name: 'tools',
      kind: 'tool',
      description: `Built-in tools: ${(config?.tools ?? ['calculator', 'time']).join(', ')}`,
      config: toolsConfigSchema,
      ...(files === undefined ? {} : { dependencies: [files] }),
      tools: config === undefined ? [] : toolsFor(config, hooks),
      configure: (parsed) => build(parsed),
    });
  };
  return build(undefined);
}
