export {
  type CreateApiKeyOptions,
  createStoredApiKey,
  DEFAULT_KEYS_FILE,
  readApiKeyFile,
  revokeStoredApiKey,
  type StoredApiKey,
} from './api-key-store.js';
export { type ApiKeyConfig, generateApiKey, hashApiKey, type Principal, type Role } from './api-keys.js';
export type { AgentSummary } from './agent-routes.js';
export { createHandler, type EntityHttpHandler } from './create-handler.js';
export type { ApiErrorBody, ApiErrorType } from './http-errors.js';
export type { HttpAuthConfig, HttpHandlerOptions, ServeHttpOptions } from './http-options.js';
export type { JwtAlgorithm, JwtAuthConfig } from './jwt-auth.js';
export { CONVERSATION_HEADER, USER_HEADER } from './openai-routes.js';
export type { PublicChatResult, PublicRunInfo } from './public-run-info.js';
export { type HttpServerHandle, serveHttp } from './serve-http.js';
export { type ServerConfig, serveOptionsFromConfig, serverConfigSchema, validateServerConfig } from './server-config.js';
export { REQUEST_ID_HEADER } from './request-id.js';
export type { TokenBucketOptions } from './token-bucket.js';
