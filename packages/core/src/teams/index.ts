export { agentTool, type AgentToolOptions } from './agent-tool.js';
export { handoff, type HandoffOptions, type HandoffRecord } from './handoff.js';
export { handoffPlugin, type HandoffPluginConfig, type HandoffPluginOptions, type HandoffTarget } from './handoff-plugin.js';
