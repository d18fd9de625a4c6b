import { ConfigError, definePlugin, type Plugin } from '@entity/core';
import { configIssuesFrom } from '@entity/core/internal';
import type { McpServerCodeOptions } from './mcp-connection.js';
import { type McpServerHandle, McpServers } from './mcp-servers.js';
import { type McpServerConfig, mcpToolsConfigSchema } from './server-settings.js';

const DEFAULT_PLUGIN_NAME = 'mcp';

/** `mcpTools()` options: the servers, and optionally the plugin's name. */
export interface McpToolsOptions {
  /** MCP servers by name: a stdio `command` or an HTTP `url`, and the `allow` list of tool names. */
  servers: Record<string, McpServerConfig & McpServerCodeOptions>;
  /** The plugin's name, unique in the agent. Default: `mcp`. */
  name?: string;
}

/** The plugin `mcpTools()` returns: register it with `agent.use()`; `server(name)` reaches resources and prompts. */
export interface McpToolsPlugin extends Plugin<unknown> {
  /** A configured server, for its resources and prompts. Connected once the agent has started. */
  server(name: string): McpServerHandle;
}

/**
 * The tools of MCP servers as Entity tools (Layer 2): only the tools named in each server's
 * `allow` list are registered, with the server's description and JSON Schema. The servers are
 * connected when the agent starts and closed when it stops.
 *
 * @example
 * const mcp = mcpTools({ servers: { files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', './docs'], allow: ['read_file'] } } });
 * agent.use(mcp);
 */
export function mcpTools(options: McpToolsOptions): McpToolsPlugin {
  const codeOptions: Record<string, McpServerCodeOptions> = {};
  const written: Record<string, unknown> = {};
  for (const [name, { authProvider, ...settings }] of Object.entries(options.servers ?? {})) {
    written[name] = settings;
    if (authProvider) codeOptions[name] = { authProvider };
  }
  const parsed = mcpToolsConfigSchema.safeParse({ servers: written });
  if (!parsed.success) throw new ConfigError(configIssuesFrom(parsed.error, [`plugins.${options.name ?? DEFAULT_PLUGIN_NAME}`, 'config'], mcpToolsConfigSchema));
  const servers = new McpServers(parsed.data.servers, codeOptions);
  const plugin = definePlugin({
    name: options.name ?? DEFAULT_PLUGIN_NAME,
    kind: 'tool',
    description: `Tools of MCP servers ${Object.keys(parsed.data.servers).join(', ')}`,
    tools: servers.tools,
    init: ({ log, signal }) => servers.start(log, signal),
    shutdown: () => servers.close(),
  });
  return Object.assign(plugin, { server: (name: string) => servers.server(name) });
}

/**
 * The plugin as agent.yaml loads it (`use: '@entity/plugin-mcp'`): its config (the `servers`)
 * comes from the entry and is checked strictly; the tools are built from it at registration.
 * A factory, so each agent gets its own connections.
 */
export default function createMcpToolsPlugin(): Plugin<unknown> {
  let servers: McpServers | undefined;
  // The allow-listed tools are known once the config is: registration calls configure, which builds them.
  const build = (tools: McpServers['tools']): Plugin<unknown> =>
    definePlugin({
      name: DEFAULT_PLUGIN_NAME,
      kind: 'tool',
      description: 'Tools of MCP servers',
      config: mcpToolsConfigSchema,
      tools,
      configure(config) {
        servers = new McpServers(config.servers);
        return build(servers.tools) as never;
      },
      init: ({ log, signal }) => servers?.start(log, signal),
      shutdown: () => servers?.close(),
    }) as Plugin<unknown>;
  return build([]);
}
