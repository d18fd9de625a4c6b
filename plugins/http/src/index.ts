export {
  type CreateApiKeyOptions,
  createStoredApiKey,
  DEFAULT_KEYS_FILE,
  readApiKeyFile,
  revokeStoredApiKey,
  type StoredApiKey,
} from './api-key-store.js';
export { assertKeyFileTrusted } from './key-file-permissions.js';
export { type ApiKeyConfig, generateApiKey, hashApiKey, type Principal, type Role } from './api-keys.js';
export type { AgentSummary } from './agent-routes.js';
export type { PublicMessage } from './conversation-routes.js';
export { createHandler, type EntityHttpHandler } from './create-handler.js';
export type { ApiErrorBody, ApiErrorType } from './http-errors.js';
export type { HttpMount, HttpMountContext } from './http-mounts.js';
export type { HttpAuthConfig, HttpHandlerOptions, ServeHttpOptions } from './http-options.js';
export { IDEMPOTENCY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from './idempotency.js';
export type { JwtAlgorithm, JwtAuthConfig } from './jwt-auth.js';
export { CONVERSATION_HEADER, USER_HEADER } from './openai-routes.js';
export type { PublicChatResult, PublicRunInfo } from './public-run-info.js';
export { REQUEST_ID_HEADER } from './request-id.js';
export { type HttpServerHandle, serveHttp, type WebSocketEndpoint } from './serve-http.js';
export { serveWebSocket } from './serve-websocket.js';
export { type ServerConfig, serveOptionsFromConfig, serverConfigSchema, validateServerConfig } from './server-config.js';
export type { TokenBucketOptions } from './token-bucket.js';
export type { WebSocketOptions } from './websocket-options.js';
export {
  BEARER_PROTOCOL_PREFIX,
  WEBSOCKET_PATH,
  WEBSOCKET_PROTOCOL,
  type WebSocketCancelRequest,
  type WebSocketChatRequest,
  type WebSocketClientMessage,
  type WebSocketServerMessage,
} from './websocket-protocol.js';
export { UI_CHAT_PATH } from './ui-chat-route.js';
