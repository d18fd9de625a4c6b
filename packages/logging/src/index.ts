export { loggingConfigSchema, type LoggingConfig } from './config-schema.js';
export { ConsoleOutput, type ConsoleOutputOptions } from './console-output.js';
export { formatConsoleLine } from './console-format.js';
export { CORRELATION_HEADERS, correlationIdFromHeaders } from './correlation-id.js';
export { EntityLogger } from './entity-logger.js';
export { DEFAULT_LOG_FILE, FileOutput, type FileOutputOptions } from './file-output.js';
export { LiveOutput, type LogListener } from './live-output.js';
export { LEVEL_VALUES, type LevelSetting, type LogFilters } from './log-filter.js';
export {
  DEFAULT_MAX_QUEUED_BYTES,
  fieldOf,
  type LogEntry,
  type LogOutput,
  type OutputStats,
  QueuedOutput,
} from './log-output.js';
export { createLoggingInstrumentation, type OperationLogLevels } from './logging-instrumentation.js';
export { createLogging, type LoggingOptions, type LoggingResource, type LoggingStats } from './logging-resource.js';
export { createRedactor, DEFAULT_SECRET_KEYS, type RedactionOptions, type Redactor } from './redact.js';
export { loggingResourceType, resourceTypes } from './resource-types.js';
export { STREAM_SUBPROTOCOL, STREAM_TOKEN_PATTERN, type StreamOutputOptions, WebSocketOutput } from './websocket-output.js';
