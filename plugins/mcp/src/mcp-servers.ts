import { ConfigError, type ConfigIssue, inMemoryLogger, type Logger, type Tool } from '@entity/core';
import { McpConnection, type McpServerCodeOptions } from './mcp-connection.js';
import { entityToolName, mcpTool } from './mcp-tool.js';
import type { McpServerSettings } from './server-settings.js';

/** One configured server as a plugin sees it: its resources, prompts and tool list. */
export interface McpServerHandle {
  /** The server's name in the config. */
  readonly name: string;
  /** True while connected. */
  readonly connected: boolean;
  /** Instructions the server sent when it connected, if any. */
  readonly instructions: string | undefined;
  listResources: McpConnection['listResources'];
  readResource: McpConnection['readResource'];
  listPrompts: McpConnection['listPrompts'];
  getPrompt: McpConnection['getPrompt'];
}

/** The servers of one plugin instance: their connections, the tools they register, and the lifecycle. */
export class McpServers {
  readonly #connections = new Map<string, McpConnection>();
  readonly tools: Tool<Record<string, unknown>, unknown>[] = [];

  constructor(servers: Record<string, McpServerSettings>, codeOptions: Record<string, McpServerCodeOptions> = {}) {
    const log = inMemoryLogger({ level: 'warn' });
    for (const [name, settings] of Object.entries(servers)) {
      const connection = new McpConnection(name, settings, log, codeOptions[name]);
      this.#connections.set(name, connection);
      for (const toolName of new Set(settings.allow)) this.tools.push(mcpTool(connection, toolName, settings.prefix ?? ''));
    }
    const seen = new Map<string, string>();
    const issues: ConfigIssue[] = [];
    for (const [name, settings] of Object.entries(servers)) {
      for (const toolName of settings.allow) {
        const entityName = entityToolName(settings.prefix ?? '', toolName);
        const other = seen.get(entityName);
        if (other !== undefined && other !== name) {
          issues.push({ path: `servers.${name}.allow`, message: `tool "${entityName}" is also allowed from server "${other}"`, fix: `give one of the servers a prefix (e.g. prefix: "${name}_")` });
        }
        seen.set(entityName, name);
      }
    }
    if (issues.length > 0) throw new ConfigError(issues);
  }

  /** A server by name, for resources and prompts. */
  server(name: string): McpServerHandle {
    const connection = this.#connections.get(name);
    if (!connection) throw new ConfigError([{ path: 'servers', message: `no MCP server named "${name}"`, fix: `use one of: ${[...this.#connections.keys()].join(', ')}` }]);
    return connection;
  }

  /**
   * Connects every server (in parallel). A server that cannot be reached, or that lacks an
   * allowed tool, stops the start — unless it is `optional`, which is logged and retried.
   */
  async start(log: Logger, signal: AbortSignal): Promise<void> {
    try {
      await this.#connectAll(log, signal);
    } catch (error) {
      // A failed (or abandoned) init is not shut down by the agent: close what did connect, and its children, here.
      await this.close();
      throw error;
    }
  }

  async #connectAll(log: Logger, signal: AbortSignal): Promise<void> {
    const failures: string[] = [];
    await Promise.all(
      [...this.#connections.values()].map(async (connection) => {
        connection.useLogger(log);
        connection.reopen();
        try {
          await connection.client(signal);
        } catch (error) {
          if (signal.aborted) throw error;
          const message = (error as Error).message;
          if (connection.settings.optional) {
            log.warn(`${message}; it is optional, so the agent starts and its tools fail until it can be reached`, { component: 'mcp', server: connection.name });
            return;
          }
          failures.push(`${message} (set optional: true to start without it)`);
          return;
        }
        const missing = connection.settings.allow.filter((toolName) => !connection.tools.has(toolName));
        if (missing.length === 0) return;
        const offered = [...connection.tools.keys()].join(', ') || 'none';
        const problem = `MCP server "${connection.name}" has no tool ${missing.map((toolName) => `"${toolName}"`).join(', ')} (allow-list); it offers: ${offered}`;
        if (connection.settings.optional) log.warn(problem, { component: 'mcp', server: connection.name });
        else failures.push(`${problem}. Fix the names under servers.${connection.name}.allow`);
      }),
    );
    if (failures.length > 0) throw new Error(failures.join('; '));
  }

  /** Closes every connection: stdio children end, HTTP sessions are deleted. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.#connections.values()].map((connection) => connection.close()));
  }
}
