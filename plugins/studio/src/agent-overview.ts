import type { Agent } from '@entity/core';

/** What the Agent screen draws: the workflow graph and the effective configuration (masked by the response layer). */
export interface AgentOverview {
  name: string;
  stages: ReturnType<Agent['describe']>['stages'];
  resources: ReturnType<Agent['describe']>['resources'];
  tools: ReturnType<Agent['describe']>['tools'];
  settings: unknown;
  /** The config document the agent was built from (`${VAR}` already replaced), when the host passed it. */
  config: unknown;
}

export function agentOverview(agent: Agent, config: unknown): AgentOverview {
  const description = agent.describe();
  return {
    name: description.name,
    stages: description.stages,
    resources: description.resources,
    tools: description.tools,
    settings: agent.currentSettings,
    config: config ?? null,
  };
}
