import { A2A_PROTOCOL_VERSION, type AgentCard, type AgentSkill } from '@a2a-js/sdk';
import type { Agent } from '@entity/core';

/** What the agent card says beyond what the agent itself knows. */
export interface AgentCardOptions {
  /** What the agent does, for other agents choosing whom to ask. Default: `Entity agent "<name>"` and its tools. */
  description?: string;
  /** Version of the agent (not of the protocol). Default: `0.1.0`. */
  version?: string;
  /** Who runs it: `{ organization, url }`. */
  provider?: { organization: string; url: string };
  documentationUrl?: string;
  /**
   * The skills to advertise. Default: one skill per registered tool (its name and description),
   * or one `chat` skill for an agent without tools — what the agent can do is what it may call.
   */
  skills?: { id: string; name: string; description: string; tags?: string[]; examples?: string[] }[];
}

function skill(id: string, name: string, description: string, tags: string[] = [], examples: string[] = []): AgentSkill {
  return { id, name, description, tags, examples, inputModes: [], outputModes: [], securityRequirements: [] };
}

/**
 * The agent card (A2A v1.0) of an Entity agent served at `endpointUrl` over JSON-RPC. Built from
 * `agent.describe()` each time, so tools registered later show up.
 */
export function buildAgentCard(agent: Agent, endpointUrl: string, options: AgentCardOptions, securitySchemeBearer: boolean, legacyCompat: boolean): AgentCard {
  const description = agent.describe();
  const skills = options.skills
    ? options.skills.map((entry) => skill(entry.id, entry.name, entry.description, entry.tags, entry.examples))
    : description.tools.length > 0
      ? description.tools.map((tool) => skill(tool.name, tool.name, tool.description, ['tool']))
      : [skill('chat', 'chat', `Talk to ${description.name}`, ['chat'])];
  return {
    name: description.name,
    description: options.description ?? `Entity agent "${description.name}"`,
    supportedInterfaces: [
      { url: endpointUrl, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: A2A_PROTOCOL_VERSION },
      // v0.3 clients speak `message/send` & co. on the same endpoint (told apart by the A2A-Version header).
      ...(legacyCompat ? [{ url: endpointUrl, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '0.3' }] : []),
    ],
    provider: options.provider,
    version: options.version ?? '0.1.0',
    ...(options.documentationUrl === undefined ? {} : { documentationUrl: options.documentationUrl }),
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: securitySchemeBearer
      ? { bearer: { scheme: { $case: 'httpAuthSecurityScheme', value: { description: 'An API key or JWT of the Entity server, as "Authorization: Bearer <credential>"', scheme: 'Bearer', bearerFormat: '' } } } }
      : {},
    securityRequirements: securitySchemeBearer ? ([{ schemes: { bearer: { list: [] } } }]) : [],
    defaultInputModes: ['text/plain', 'application/json'],
    defaultOutputModes: ['text/plain'],
    skills,
    signatures: [],
  };
}

/**
 * The same card in the A2A v0.3 shape (`url`, `preferredTransport`, `protocolVersion: 0.3.0`),
 * for clients that ask for the card without an `A2A-Version` header, as v0.3 clients do. Like
 * the SDK's own v0.3 card, it also lists the v1.0 `supportedInterfaces`.
 */
export function legacyAgentCardJson(card: AgentCard, endpointUrl: string, v1Interfaces: unknown): Record<string, unknown> {
  return {
    name: card.name,
    description: card.description,
    version: card.version,
    url: endpointUrl,
    preferredTransport: 'JSONRPC',
    protocolVersion: '0.3.0',
    capabilities: { streaming: card.capabilities?.streaming ?? false, pushNotifications: false },
    defaultInputModes: card.defaultInputModes,
    defaultOutputModes: card.defaultOutputModes,
    skills: card.skills.map((entry) => ({ id: entry.id, name: entry.name, description: entry.description, tags: entry.tags, examples: entry.examples })),
    ...(card.provider ? { provider: card.provider } : {}),
    ...(card.documentationUrl ? { documentationUrl: card.documentationUrl } : {}),
    ...(Object.keys(card.securitySchemes).length > 0
      ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key or JWT of the Entity server' } }, security: [{ bearer: [] }] }
      : {}),
    supportedInterfaces: v1Interfaces,
  };
}
