export { type ApiKeyConfig, generateApiKey, hashApiKey, type Principal, type Role } from './api-keys.js';
export type { AgentSummary } from './agent-routes.js';
export { createHandler, type EntityHttpHandler } from './create-handler.js';
export type { ApiErrorBody, ApiErrorType } from './http-errors.js';
export type { HttpHandlerOptions, ServeHttpOptions } from './http-options.js';
export { CONVERSATION_HEADER, USER_HEADER } from './openai-routes.js';
export type { PublicChatResult, PublicRunInfo } from './public-run-info.js';
export { type HttpServerHandle, serveHttp } from './serve-http.js';
export type { TokenBucketOptions } from './token-bucket.js';
