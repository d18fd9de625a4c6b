// The public API: what users of Entity call. Every name exported here is a promise kept across
// releases, so additions are deliberate (test/public-exports.test.ts lists them). Runtime pieces
// that sibling packages and the CLI share (the resource container, project imports, hot reload,
// config internals, redaction patterns) live in `@entity/core/internal`.

// Types of the contracts, configuration, errors and helpers: free at runtime.
export type {
  InMemoryLogger,
  InMemoryLoggerOptions,
  InMemoryMetrics,
  InMemoryMetricsOptions,
  LogEntry,
} from './builtins/index.js';
export type {
  AgentConfig,
  CompiledConfig,
  CompileOptions,
  ConfigDocument,
  PluginEntry,
  ValidationIssue,
  ValidationPhase,
  ValidationReport,
} from './config/index.js';
export type {
  AdvancedContext,
  ContextSection,
  AgentEvent,
  AgentEventType,
  NestedAgentEvent,
  AssistantMessage,
  CallOptions,
  ChatMessage,
  ChatRequest,
  ChatResponse,
  ChatResult,
  ChatRole,
  ChatStatus,
  StructuredChatResult,
  ChatStreamEvent,
  Context,
  ConversationMemory,
  ConversationRef,
  ConversationSummary,
  DiscoverToolsFilter,
  EmbeddingResponse,
  FailureInfo,
  FinishReason,
  HealthReport,
  Instrumentation,
  InstrumentationProvider,
  JsonSchema,
  JsonValue,
  KeyValueMemory,
  ListOptions,
  ListPage,
  LLM,
  LLMCapabilities,
  LoadMessagesOptions,
  LogComponent,
  LogFields,
  Logger,
  LogLevel,
  Memory,
  MetricLabels,
  Metrics,
  Migration,
  OperationEnd,
  OperationKind,
  OperationStart,
  Plugin,
  PluginExecutionRecord,
  PluginInitContext,
  PluginKind,
  PluginRegistration,
  PluginTiming,
  PutOptions,
  QueueToolOptions,
  SourceRef,
  Resource,
  ResourceOperationRecord,
  ResourceStartContext,
  ResourceType,
  RunInfo,
  RunRecord,
  SqlMemory,
  SqlResult,
  Stage,
  Storage,
  StorageBody,
  StorageObjectInfo,
  StoredMessage,
  StructuredRequest,
  StructuredResponse,
  SystemMessage,
  Tool,
  ToolCall,
  ToolCallRecord,
  ToolChoice,
  ToolContext,
  ToolDescription,
  ToolInfo,
  ToolMessage,
  ToolResult,
  Usage,
  UserMessage,
  VectorDocumentInput,
  VectorMatch,
  VectorMemory,
  VectorQuery,
} from './contracts/index.js';
export type {
  PluginSpec,
  ToolSpec,
} from './define/index.js';
export type {
  ConfigIssue,
  EntityErrorOptions,
} from './errors/index.js';
export type {
  SecretRedactor,
  SecretRedactorOptions,
} from './redaction/index.js';
export type {
  CircuitBreakerOptions,
  CircuitBreakerStats,
  CircuitState,
  ResilientCall,
  ResilientCallOptions,
  RetryOptions,
} from './resilience/index.js';
export type {
  AgentDescription,
  AgentOptions,
  AskModelOptions,
  ChatOptions,
  EngineSettings,
  PluginFunction,
  PluginInput,
  PromptOptions,
  ReloadParameters,
  StageAssignment,
  StageMapping,
  StageSource,
  StreamOptions,
  ToolHelperOptions,
} from './engine/index.js';

// The agent and its building blocks.
export { Agent, askModel, DEFAULT_CHAT_WORKFLOW, systemPrompt, Workflow } from './engine/index.js';
export { definePlugin, defineResource, defineTool, toJsonSchema } from './define/index.js';
export { agentTool, handoff, handoffPlugin } from './teams/index.js';
export type { AgentToolOptions, HandoffOptions, HandoffPluginConfig, HandoffPluginOptions, HandoffRecord, HandoffTarget } from './teams/index.js';
export { ALL_STAGES, LOG_LEVELS, PIPELINE_STAGES } from './contracts/index.js';
export { inMemoryLogger, inMemoryMemory, inMemoryMetrics } from './builtins/index.js';
export { agentConfigSchema } from './config/config-schema.js';
// Lazy: the YAML parser and schema compilation load on the first validation, not with the package.
export { validate, validateConfig } from './config/validate-config.js';

// Errors: check kinds with `XError.isInstance(error)`.
export {
  CancelledError,
  CircuitOpenError,
  ConfigError,
  DEFAULT_SAFE_MESSAGE,
  EntityError,
  MaxIterationsError,
  MissingPackageError,
  PluginError,
  ProviderError,
  ResourceError,
  RunFailedError,
  StageError,
  TimeoutError,
  ToolError,
  UNEXPECTED_ERROR_CODE,
  ValidationError,
} from './errors/index.js';

// For resource authors: resilient external calls and secret redaction.
export { CircuitBreaker, createResilientCall, isRetryableError, retry, withTimeout } from './resilience/index.js';
export { createSecretRedactor, redactSecrets } from './redaction/index.js';
