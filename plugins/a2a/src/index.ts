// @entity/plugin-a2a: the Agent2Agent protocol for Entity, on the official @a2a-js/sdk.

export { type A2AAgentSettings, type A2APluginConfig, a2aAgentSettingsSchema, a2aPluginConfigSchema } from './a2a-agent-options.js';
export { type A2AAgentReply, type A2AAgentToolOptions, a2aAgentTool, DEFAULT_A2A_TIMEOUT_MS, DEFAULT_MAX_REPLY_BYTES } from './a2a-agent-tool.js';

import { a2aPlugin } from './a2a-plugin.js';

export { A2A_PLUGIN_NAME, a2aPlugin } from './a2a-plugin.js';
export { type A2AServer, type A2AServerOptions, createA2AServer, DEFAULT_A2A_PATH, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_MESSAGE_CHARS } from './a2a-server.js';
export type { AgentCardOptions } from './agent-card.js';
export { RESPONSE_ARTIFACT_ID } from './entity-agent-executor.js';
export type { HttpMount, HttpMountContext, HttpPrincipal, HttpRole } from './http-mount.js';

// `use: '@entity/plugin-a2a'` in agent.yaml: a factory, so each agent gets its own plugin and tools.
export default a2aPlugin;
