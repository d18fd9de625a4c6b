export { ANTHROPIC_DEFAULT_MAX_TOKENS, type AnthropicOptions, anthropic } from './anthropic-llm.js';
export {
  DEFAULT_ANTHROPIC_MODEL,
  DEFAULT_OPENAI_MODEL,
  type DefaultLLMDetection,
  type DefaultLLMOptions,
  defaultLLM,
  detectDefaultLLM,
  PREFERRED_OLLAMA_MODELS,
} from './default-llm.js';
export { defaultShouldFallback, type FallbackLLM, type FallbackOptions, fallback } from './fallback-llm.js';
export type { CircuitBreakerSettings, CommonLLMOptions, RetrySettings } from './llm-options.js';
export { howToGetAModel, SUGGESTED_OLLAMA_MODEL } from './llm-unavailable.js';
export { OLLAMA_DEFAULT_TIMEOUT_MS, type OllamaOptions, ollama } from './ollama-llm.js';
export { type OpenAIOptions, openai } from './openai-llm.js';
export { type ModelPrice, priceOf } from './pricing.js';
export { LLM_ERROR_CODES } from './provider-errors.js';
export type { ProviderLLM } from './provider-llm.js';
export {
  type AnthropicConfig,
  anthropicConfigSchema,
  type FallbackConfig,
  fallbackConfigSchema,
  type OllamaConfig,
  ollamaConfigSchema,
  type OpenAIConfig,
  openaiConfigSchema,
  resourceTypes,
} from './resource-types.js';
