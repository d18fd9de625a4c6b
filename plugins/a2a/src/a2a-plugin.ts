import { definePlugin, type Plugin, type Tool } from '@entity/core';
import { z } from 'zod';
import { type A2APluginConfig, a2aPluginConfigSchema } from './a2a-agent-options.js';
import { a2aAgentTool } from './a2a-agent-tool.js';

/** Name of the plugin `agent.yaml` gets from `use: '@entity/plugin-a2a'`. */
export const A2A_PLUGIN_NAME = 'a2a';

/**
 * The remote A2A agents of an `agent.yaml` entry as tools, one per entry of `config.agents`:
 *
 * ```yaml
 * plugins:
 *   - use: '@entity/plugin-a2a'
 *     config:
 *       agents:
 *         - { name: research, url: https://research.example.com, headers: { authorization: 'Bearer ${RESEARCH_TOKEN}' } }
 * ```
 *
 * The engine reads a plugin's tools right after checking its config, so the tools are made from
 * the config as it is checked. They are made once: a later config with other agents (a hot
 * reload) is refused with "restart required", as any change of tools is.
 */
export function a2aPlugin(): Plugin<A2APluginConfig> {
  let tools: Tool<never, unknown>[] | undefined;
  let madeFrom: string | undefined;
  const config = a2aPluginConfigSchema.transform((value, context) => {
    const key = JSON.stringify(value);
    if (tools === undefined) {
      tools = value.agents.map((agent) => a2aAgentTool(agent) as Tool<never, unknown>);
      madeFrom = key;
    } else if (key !== madeFrom) {
      context.addIssue({ code: 'custom', message: 'the remote agents changed; tools are fixed while the agent runs — restart required' });
      return z.NEVER;
    }
    return value;
  });
  const plugin = definePlugin({
    name: A2A_PLUGIN_NAME,
    kind: 'tool',
    description: 'Remote A2A agents as tools',
    config,
  });
  return Object.defineProperty(plugin, 'tools', { get: () => tools ?? [], enumerable: true }) as Plugin<A2APluginConfig>;
}
