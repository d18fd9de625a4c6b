import { ALL_STAGES, type Stage } from '../contracts/stage.js';
import type { PluginRegistry } from './plugin-registry.js';
import type { ResourceContainer } from './resource-container.js';
import type { StageSource } from './plugin-analysis.js';

export interface AgentDescription {
  name: string;
  stages: { stage: Stage; plugins: { name: string; kind: string; source: StageSource; dependencies: string[] }[] }[];
  resources: { name: string; dependencies: string[]; optionalDependencies: string[] }[];
  /** Registered tools: what the model may call, with the description it reads (agent cards list them too). */
  tools: { name: string; plugin: string; description: string }[];
}

export function describeAgent(name: string, registry: PluginRegistry, container: ResourceContainer): AgentDescription {
  return {
    name,
    stages: ALL_STAGES.map((stage) => ({
      stage,
      plugins: registry.forStage(stage).map(({ plugin, assignment }) => ({
        name: plugin.name,
        kind: plugin.kind,
        source: assignment.source,
        dependencies: [...(plugin.dependencies ?? [])],
      })),
    })),
    resources: container.entries().map(([resourceName, resource]) => ({
      name: resourceName,
      dependencies: [...(resource.dependencies ?? [])],
      optionalDependencies: [...(resource.optionalDependencies ?? [])],
    })),
    tools: registry.discoverTools().map((tool) => ({ name: tool.name, plugin: tool.plugin, description: tool.description })),
  };
}
