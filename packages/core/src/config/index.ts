export { type AgentConfig, agentConfigSchema, type PluginEntry } from './config-schema.js';
export { configIssuesFrom } from './config-issues.js';
export {
  type CompiledConfig,
  type CompileOptions,
  compileConfig,
  type ValidationIssue,
  type ValidationPhase,
  type ValidationReport,
  validate,
  validateConfig,
} from './compile-config.js';
export { type ConfigDocument, readConfigDocument } from './config-document.js';
export { interpolateEnvironment, loadEnvironment } from './env-interpolation.js';
export { applyParameterReload, topologyChanges } from './hot-reload.js';
export { closestKey } from './did-you-mean.js';
