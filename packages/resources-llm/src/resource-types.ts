import { defineResource, type LLM, type ResourceType } from '@entity/core';
import { z } from 'zod';
import { anthropic } from './anthropic-llm.js';
import { fallback } from './fallback-llm.js';
import { lazySchema, once } from './lazy-schema.js';
import { ollama } from './ollama-llm.js';
import { openai } from './openai-llm.js';

const PACKAGE_NAME = '@entity/resources-llm';

/**
 * The YAML config schemas of the four resource types, built on first use (a config being
 * validated, a docs generator reading them): an app that builds its LLM in code never needs them,
 * and building them at import was a sizeable part of this package's load time.
 */
const configSchemas = once(() => {
  // YAML settings shared by every provider. Code-only settings (fetch, a shared breaker, clocks)
  // are not configurable from YAML.
  const common = {
    model: z.string().min(1).describe('Model name, e.g. gpt-4o-mini, claude-haiku-4-5, llama3.2:3b.'),
    timeoutMs: z.number().int().positive().optional().describe('Time budget of each attempt in ms; for streams, the longest wait for the next event. Default: 60000 (Ollama: 120000).'),
    retries: z.number().int().min(0).max(10).optional().describe('Attempts after the first, with backoff, honouring retry-after. Default: 2.'),
    circuitBreaker: z
      .object({ failureThreshold: z.number().int().positive().optional(), resetTimeoutMs: z.number().int().positive().optional() })
      .strict()
      .optional()
      .describe('Opens after failureThreshold consecutive failures (default 5) for resetTimeoutMs (default 30000).'),
    temperature: z.number().min(0).max(2).optional().describe("Sampling temperature when a request sets none. Default: the provider's."),
    maxTokens: z.number().int().positive().optional().describe("Maximum output tokens when a request sets none. Default: the provider's (Anthropic: 4096)."),
    pricing: z.object({ inputPerMillion: z.number().nonnegative(), outputPerMillion: z.number().nonnegative().optional() }).strict().optional(),
  };
  const headers = z.record(z.string(), z.string()).optional().describe('Extra headers on every request (a proxy, OpenRouter).');

  const openai = z
    .object({
      ...common,
      apiKey: z.string().min(1).optional().describe('API key; write ${OPENAI_API_KEY}. Default: OPENAI_API_KEY; with a custom baseURL and no key, a placeholder (local servers ignore it).'),
      baseURL: z.url().optional().describe('API base URL including /v1, for any OpenAI-compatible server (vLLM, LM Studio, llama.cpp, OpenRouter). Default: OPENAI_BASE_URL or https://api.openai.com/v1.'),
      organization: z.string().min(1).optional().describe('Organization id. Default: OPENAI_ORG_ID.'),
      headers,
      embeddingModel: z.string().min(1).optional(),
      embeddingDimensions: z.number().int().positive().optional(),
      maxTokensParameter: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
      providerName: z.string().min(1).optional(),
    })
    .strict();

  const anthropic = z
    .object({
      ...common,
      apiKey: z.string().min(1).optional().describe('API key; write ${ANTHROPIC_API_KEY}. Default: ANTHROPIC_API_KEY.'),
      baseURL: z.url().optional().describe('API base URL without /v1. Default: ANTHROPIC_BASE_URL or https://api.anthropic.com.'),
      headers,
    })
    .strict();

  const ollama = z
    .object({
      ...common,
      host: z.string().min(1).optional().describe('Ollama server address. Default: OLLAMA_HOST or http://localhost:11434.'),
      embeddingModel: z.string().min(1).optional(),
      embeddingDimensions: z.number().int().positive().optional(),
      keepAlive: z.union([z.string().min(1), z.number()]).optional(),
      headers,
    })
    .strict();

  const fallback = z
    .object({
      providers: z
        .array(
          z.discriminatedUnion('type', [
            openai.extend({ type: z.literal('openai') }),
            anthropic.extend({ type: z.literal('anthropic') }),
            ollama.extend({ type: z.literal('ollama') }),
          ]),
        )
        .min(1),
    })
    .strict();

  return { openai, anthropic, ollama, fallback };
});

type ConfigSchemas = ReturnType<typeof configSchemas>;

// The exports stay schema objects (`parse`, `shape`, `extend`, `z.toJSONSchema` work on them); each
// is built on its first use.
export const openaiConfigSchema: ConfigSchemas['openai'] = lazySchema(() => configSchemas().openai);
export const anthropicConfigSchema: ConfigSchemas['anthropic'] = lazySchema(() => configSchemas().anthropic);
export const ollamaConfigSchema: ConfigSchemas['ollama'] = lazySchema(() => configSchemas().ollama);
export const fallbackConfigSchema: ConfigSchemas['fallback'] = lazySchema(() => configSchemas().fallback);

export type OpenAIConfig = z.infer<typeof openaiConfigSchema>;
export type AnthropicConfig = z.infer<typeof anthropicConfigSchema>;
export type OllamaConfig = z.infer<typeof ollamaConfigSchema>;
export type FallbackConfig = z.infer<typeof fallbackConfigSchema>;

/** YAML `retries: n` is the `retry.retries` option of the factories. */
function withRetries<T extends { retries?: number | undefined }>(config: T): Omit<T, 'retries'> & { retry?: { retries: number } } {
  const { retries, ...rest } = config;
  return retries === undefined ? rest : { ...rest, retry: { retries } };
}

function createMember(config: FallbackConfig['providers'][number]): LLM {
  const { type, ...rest } = config;
  if (type === 'openai') return openai(withRetries(rest as OpenAIConfig));
  if (type === 'anthropic') return anthropic(withRetries(rest as AnthropicConfig));
  return ollama(withRetries(rest as OllamaConfig));
}

/** Resource types for YAML: `type: openai | anthropic | ollama | fallback`. */
export const resourceTypes: ResourceType[] = [
  defineResource({ type: 'openai', packageName: PACKAGE_NAME, configSchema: openaiConfigSchema, create: (config) => openai(withRetries(config)) }),
  defineResource({ type: 'anthropic', packageName: PACKAGE_NAME, configSchema: anthropicConfigSchema, create: (config) => anthropic(withRetries(config)) }),
  defineResource({ type: 'ollama', packageName: PACKAGE_NAME, configSchema: ollamaConfigSchema, create: (config) => ollama(withRetries(config)) }),
  defineResource({ type: 'fallback', packageName: PACKAGE_NAME, configSchema: fallbackConfigSchema, create: (config) => fallback(config.providers.map(createMember)) }),
] as ResourceType[];
