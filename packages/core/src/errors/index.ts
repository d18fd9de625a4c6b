export { DEFAULT_SAFE_MESSAGE, EntityError, type EntityErrorOptions, UNEXPECTED_ERROR_CODE } from './entity-error.js';
export {
  CancelledError,
  CircuitOpenError,
  ConfigError,
  type ConfigIssue,
  MaxIterationsError,
  MissingPackageError,
  PluginError,
  ProviderError,
  ResourceError,
  RunFailedError,
  StageError,
  TimeoutError,
  ToolError,
  ValidationError,
} from './error-kinds.js';
