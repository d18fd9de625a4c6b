import { z } from 'zod';

const positiveInteger = z.number().int().positive();
const STDIO_ONLY = ['command', 'args', 'env', 'cwd'] as const;
const HTTP_ONLY = ['url', 'headers'] as const;

/**
 * One MCP server as agent.yaml (or code) describes it: a stdio command or a Streamable HTTP URL,
 * and the names of the tools the agent may use. Strict: a misspelt key is an error, not a
 * setting that silently does nothing.
 */
export const mcpServerSchema = z
  .object({
    command: z.string().min(1).optional().describe('Program that runs the server over stdio (e.g. "npx"). Give this or url.'),
    args: z.array(z.string()).optional().describe('Arguments of the stdio command.'),
    env: z
      .record(z.string(), z.string())
      .optional()
      .describe("Environment of the stdio command, on top of a safe default set (PATH, HOME, …); the agent's own environment is not passed on."),
    cwd: z.string().min(1).optional().describe('Working directory of the stdio command. Default: the agent process\'s.'),
    url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('Streamable HTTP endpoint of the server (http: or https:). Give this or command.'),
    headers: z
      .record(z.string(), z.string())
      .optional()
      .describe('HTTP headers sent with every request, e.g. Authorization: "Bearer ${MCP_TOKEN}".'),
    allow: z
      .array(z.string().min(1))
      .min(1, 'list at least one tool name')
      .describe('Names of the server\'s tools the agent may call. Only these are registered: the others are never shown to the model.'),
    prefix: z
      .string()
      .regex(/^[a-zA-Z0-9_-]*$/, 'use letters, digits, "_" or "-"')
      .optional()
      .describe('Put in front of each tool name the model sees (e.g. "github_"), to keep apart equal names of two servers. Default: none.'),
    timeoutMs: positiveInteger.optional().describe("Budget of one tool call of this server, in ms. Default: the agent's toolTimeoutMs."),
    connectTimeoutMs: positiveInteger.default(10_000).describe('Budget of connecting (start, handshake, tool list), in ms. Default: 10000.'),
    maxResultBytes: positiveInteger
      .default(100_000)
      .describe('Largest tool result (UTF-8 bytes of what the model would read) passed to the model; a larger one is a tool error. Default: 100000.'),
    optional: z
      .boolean()
      .default(false)
      .describe('Start the agent even when this server cannot be reached (its tools fail until it can). Default: false: the agent does not start.'),
    reconnectDelayMs: positiveInteger.default(500).describe('First wait before reconnecting to a server that went away; doubles up to 30 s. Default: 500.'),
  })
  .strict()
  .superRefine((server, context) => {
    if ((server.command === undefined) === (server.url === undefined)) {
      context.addIssue({ code: 'custom', path: [], message: server.command === undefined ? 'give the server a command (stdio) or a url (Streamable HTTP)' : 'give either command or url, not both' });
      return;
    }
    const wrongKeys = server.command !== undefined ? HTTP_ONLY.filter((key) => server[key] !== undefined) : STDIO_ONLY.filter((key) => server[key] !== undefined);
    for (const key of wrongKeys) {
      context.addIssue({ code: 'custom', path: [key], message: `"${key}" is for ${server.command !== undefined ? 'HTTP servers (url)' : 'stdio servers (command)'}; this server uses ${server.command !== undefined ? 'command' : 'url'}` });
    }
  });

const SERVER_NAME = /^[a-zA-Z][\w-]{0,63}$/;

/** The config of `@entity/plugin-mcp`: servers by name. */
export const mcpToolsConfigSchema = z
  .object({
    servers: z
      .record(z.string().regex(SERVER_NAME, 'server names start with a letter; letters, digits, "_" and "-"'), mcpServerSchema)
      .refine((servers) => Object.keys(servers).length > 0, 'configure at least one server')
      .describe('MCP servers by name; each is a stdio command or an HTTP URL with the allow-list of its tools.'),
  })
  .strict();

/** One server's settings as written (defaults optional). */
export type McpServerConfig = z.input<typeof mcpServerSchema>;
/** One server's settings with defaults filled in. */
export type McpServerSettings = z.output<typeof mcpServerSchema>;
/** The plugin's settings as written. */
export type McpToolsConfig = z.input<typeof mcpToolsConfigSchema>;
