export type { AdvancedContext, Context, ContextSection, DiscoverToolsFilter, QueueToolOptions, SourceRef } from './context.js';
export type {
  AgentEvent,
  AgentEventType,
  NestedAgentEvent,
  ChatResult,
  ChatStatus,
  StructuredChatResult,
  FailureInfo,
  PluginTiming,
  RunInfo,
  ToolCallRecord,
} from './events.js';
export type {
  Instrumentation,
  InstrumentationProvider,
  OperationEnd,
  OperationKind,
  OperationStart,
} from './instrumentation.js';
export type { JsonSchema, JsonValue } from './json.js';
export type {
  CallOptions,
  ChatRequest,
  ChatResponse,
  ChatStreamEvent,
  EmbeddingResponse,
  FinishReason,
  LLM,
  LLMCapabilities,
  StructuredRequest,
  StructuredResponse,
  ToolChoice,
  ToolDescription,
  Usage,
} from './llm.js';
export { LOG_LEVELS, type LogComponent, type LogFields, type Logger, type LogLevel } from './logger.js';
export type {
  ConversationMemory,
  ConversationRef,
  ConversationSummary,
  KeyValueMemory,
  LoadMessagesOptions,
  Memory,
  Migration,
  SqlMemory,
  SqlResult,
  StoredMessage,
  VectorDocumentInput,
  VectorMatch,
  VectorMemory,
  VectorQuery,
} from './memory.js';
export type {
  AssistantMessage,
  ChatMessage,
  ChatRole,
  SystemMessage,
  ToolCall,
  ToolMessage,
  UserMessage,
} from './message.js';
export type {
  MetricLabels,
  Metrics,
  PluginExecutionRecord,
  ResourceOperationRecord,
  RunRecord,
} from './metrics.js';
export {
  DEFAULT_STAGE_BY_KIND,
  type Plugin,
  type PluginInitContext,
  type PluginKind,
  type PluginRegistration,
} from './plugin.js';
export {
  type HealthReport,
  KNOWN_RESOURCE_PACKAGES,
  type Resource,
  type ResourceStartContext,
  type ResourceType,
} from './resource.js';
export { ALL_STAGES, PIPELINE_STAGES, type Stage } from './stage.js';
export type {
  ListOptions,
  ListPage,
  PutOptions,
  Storage,
  StorageBody,
  StorageObjectInfo,
} from './storage.js';
export type { Tool, ToolContext, ToolInfo, ToolResult } from './tool.js';
