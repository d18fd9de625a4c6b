import { toolsPlugin } from './tools-plugin.js';

export { type AddressResolver, type ResolvedAddress, systemResolver } from './address-resolver.js';
export { type CalculatorOptions, calculatorTool, DEFAULT_CALCULATOR_MAX_DEPTH, DEFAULT_CALCULATOR_MAX_LENGTH } from './calculator-tool.js';
export { DEFAULT_FETCH_MAX_BYTES, DEFAULT_FETCH_MAX_REDIRECTS, DEFAULT_FETCH_TIMEOUT_MS, type FetchToolOptions, fetchTool } from './fetch-tool.js';
export type { ConnectTarget } from './guarded-fetch.js';
export { whyNotPublic } from './network-address.js';
export { currentTimeTool, type TimeToolOptions } from './time-tool.js';
export { TOOL_NAMES, type ToolName, type ToolsConfig, toolsConfigSchema } from './tools-config.js';
export { type ToolsPluginHooks, toolsPlugin } from './tools-plugin.js';

/**
 * What `use: '@entity/plugin-tools'` in agent.yaml loads: a factory core calls once per agent
 * built, so every agent gets its own plugin, configured by the entry's `config:`.
 */
export default () => toolsPlugin();
