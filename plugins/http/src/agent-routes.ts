import type { Hono } from 'hono';
import type { HandlerEnvironment, HandlerState } from './handler-environment.js';
import { DEFAULT_MAX_MESSAGE_CHARS } from './http-options.js';
import { openApiDocument } from './openapi-document.js';
import { readinessChecker } from './readiness.js';
import { readQuery } from './request-validation.js';

/** `GET /v1/agent`: what the agent is made of. */
export interface AgentSummary {
  name: string;
  plugins: { name: string; kind: string; stages: string[] }[];
  tools: string[];
  resources: string[];
}

function summarize(state: HandlerState): AgentSummary {
  const description = state.agent.describe();
  const plugins = new Map<string, AgentSummary['plugins'][number]>();
  for (const { stage, plugins: inStage } of description.stages) {
    for (const plugin of inStage) {
      const entry = plugins.get(plugin.name) ?? { name: plugin.name, kind: plugin.kind, stages: [] };
      entry.stages.push(stage);
      plugins.set(plugin.name, entry);
    }
  }
  return {
    name: description.name,
    plugins: [...plugins.values()],
    tools: description.tools.map((tool) => tool.name),
    resources: description.resources.map((resource) => resource.name),
  };
}

/**
 * Health probes (no credential needed, never rate limited; `/health/ready` adds per-resource
 * health for a caller with a credential), the agent's description and the OpenAPI document.
 */
export function registerAgentRoutes(app: Hono<HandlerEnvironment>, state: HandlerState): void {
  const readiness = readinessChecker(state.agent, state.logger);
  app.get('/health/live', (context) => {
    readQuery(context);
    return context.json({ status: 'live' });
  });
  app.get('/health/ready', async (context) => {
    readQuery(context);
    if (state.draining) return context.json({ status: 'draining' }, 503);
    const result = await readiness();
    const status = result.ready ? 'ready' : 'not-ready';
    // Resource names and their health tell an attacker what to aim at: only callers with a credential see them.
    const detailed = context.get('principal') !== undefined;
    return context.json(detailed ? { status, resources: result.resources } : { status }, result.ready ? 200 : 503);
  });
  let document: Record<string, unknown> | undefined;
  app.get('/openapi.json', (context) => {
    readQuery(context);
    document ??= openApiDocument({
      agentName: state.agent.name,
      modelId: state.options.modelId ?? state.agent.name,
      maxMessageChars: state.options.limits?.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS,
    });
    return context.json(document);
  });
  app.get('/v1/agent', (context) => {
    readQuery(context);
    return context.json(summarize(state));
  });
}
