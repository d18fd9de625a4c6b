// `@entity/core/internal`: runtime pieces the CLI and the sibling `@entity/*` packages share with
// core. Not part of the public API: names here may change in any release. Users import from
// `@entity/core` (see src/index.ts).
export { DEFAULT_STAGE_BY_KIND, KNOWN_RESOURCE_PACKAGES } from './contracts/index.js';
export { serializeToolValue } from './engine/tool-runner.js';
export { assignStages, DEFAULT_MAX_BUFFERED_EVENTS, DEFAULT_SETTINGS, errorTypeOf, importFromProject, ResourceContainer } from './engine/index.js';
export {
  applyParameterReload,
  closestKey,
  compileConfig,
  configIssuesFrom,
  interpolateEnvironment,
  loadEnvironment,
  readConfigDocument,
  topologyChanges,
} from './config/index.js';
export { computeRetryDelay, sleep } from './resilience/index.js';
export { untilAborted } from './engine/linked-abort.js';
export {
  isDistinctiveSecretValue,
  MAX_REDACTED_TEXT_LENGTH,
  MIN_ENVIRONMENT_SECRET_LENGTH,
  redactIssues,
  SECRET_ENVIRONMENT_NAME,
  SECRET_FIELD_NAMES,
  SECRET_TEXT_PATTERNS,
} from './redaction/index.js';
// The Memory contract's input rules, shared by the fallback memory and @entity/resources-memory.
export { MAX_IDENTIFIER_LENGTH, requireIdentifier, requireJson, requireMessages } from './builtins/memory-input.js';
