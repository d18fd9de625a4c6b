import { z } from 'zod';

const httpUrl = (what: string) =>
  z
    .string()
    .min(1)
    .refine((value) => {
      try {
        const { protocol } = new URL(value);
        return protocol === 'http:' || protocol === 'https:';
      } catch {
        return false;
      }
    }, `${what} must be an http:// or https:// URL`);

/** Tool names every model provider accepts. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Settings of one remote A2A agent used as a tool (code and `agent.yaml`). Unknown keys are rejected. */
export const a2aAgentSettingsSchema = z
  .object({
    url: httpUrl('url').describe('Base URL of the remote agent: its card is at <url>/.well-known/agent-card.json (or cardPath).'),
    name: z.string().regex(TOOL_NAME, 'name must be 1-64 letters, digits, "_" or "-"').optional().describe('Tool name the model sees. Default: a2a_<host>.'),
    description: z.string().min(1).max(2000).optional().describe('Tells the model when to ask this agent. Default: a generic text naming its host.'),
    headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9a-zA-Z-]+$/, 'header names are HTTP tokens'), z.string()).optional().describe('Headers sent with every call to the agent (e.g. authorization); sent only to allowed origins.'),
    timeoutMs: z.number().int().positive().max(3_600_000).optional().describe('Budget of one call (card, message and polling), in ms. Default: 60000.'),
    maxReplyBytes: z.number().int().positive().optional().describe('Largest reply accepted, in bytes; a larger one is a tool error. Default: 1048576 (1 MiB).'),
    allowedOrigins: z.array(httpUrl('allowedOrigins entries')).optional().describe("Other origins (https://host:port) the agent's card may point to or redirects may lead to. Default: none."),
    cardPath: z.string().startsWith('/').optional().describe('Path of the agent card on the agent\'s host. Default: /.well-known/agent-card.json.'),
  })
  .strict();

export type A2AAgentSettings = z.infer<typeof a2aAgentSettingsSchema>;

/** Config of the `agent.yaml` plugin entry: the remote agents to offer as tools. */
export const a2aPluginConfigSchema = z
  .object({
    agents: z.array(a2aAgentSettingsSchema).min(1).describe('Remote A2A agents, one tool each.'),
  })
  .strict();

export type A2APluginConfig = z.infer<typeof a2aPluginConfigSchema>;
