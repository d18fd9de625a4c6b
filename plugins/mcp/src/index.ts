// @entity/plugin-mcp: the Model Context Protocol both ways. As a client, the allowed tools of MCP
// servers become Entity tools; as a server, an Entity agent's tools and a `chat` tool are offered
// to MCP hosts over stdio or Streamable HTTP.
export type { McpServerCodeOptions } from './mcp-connection.js';
export type { McpServerHandle } from './mcp-servers.js';
export type { McpServerConfig, McpServerSettings, McpToolsConfig } from './server-settings.js';
export type { McpToolsOptions, McpToolsPlugin } from './mcp-tools-plugin.js';
export { default, mcpTools } from './mcp-tools-plugin.js';
export { mcpServerSchema, mcpToolsConfigSchema } from './server-settings.js';
export type { AgentMcpCaller, AgentMcpServerOptions } from './agent-mcp-server.js';
export type { McpHttpHandler, McpHttpHandlerOptions, McpRequestContext } from './mcp-http-handler.js';
export type { McpStdioOptions, McpStdioServer } from './serve-mcp-stdio.js';
export { createAgentMcpServer } from './agent-mcp-server.js';
export { createMcpHttpHandler } from './mcp-http-handler.js';
export { serveMcpStdio } from './serve-mcp-stdio.js';
export type { McpMount, McpMountContext, McpMountOptions } from './mcp-mount.js';
export { mcpMount } from './mcp-mount.js';
