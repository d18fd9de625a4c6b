export { type AnthropicServerOptions, startAnthropicServer } from './anthropic-server.js';
export type { LoopbackServer } from './loopback-server.js';
export { type OllamaServerOptions, type OllamaTestServer, startOllamaServer } from './ollama-server.js';
export { type OpenAIServerOptions, startOpenAIServer } from './openai-server.js';
export {
  deterministicEmbedding,
  estimateTokens,
  type RecordedRequest,
  type Responder,
  type ScriptedError,
  type ScriptedReply,
  type ScriptedToolCall,
} from './scripted-reply.js';
