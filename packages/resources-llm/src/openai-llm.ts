import { type ChatRequest, ConfigError, type EmbeddingResponse } from '@entity/core';
import type OpenAI from 'openai';
import { signalAwareFetch, withCallSignal } from './call-signal.js';
import { type CommonLLMOptions, DEFAULT_TIMEOUT_MS } from './llm-options.js';
import { loadSdk } from './load-sdk.js';
import { fromCompletion, isStrictCompatible, streamEventsOf, toOpenAIMessages, toOpenAIToolChoice, toOpenAITools } from './openai-messages.js';
import { costOf, priceOf } from './pricing.js';
import { malformedResponse } from './provider-errors.js';
import { createProviderLLM, type ProviderDriver, type ProviderLLM } from './provider-llm.js';
import { createSdkLogBridge } from './sdk-logger.js';
import { unlistedModel } from './unlisted-model.js';

/** Options of `openai()`. Also fits any OpenAI-compatible server (vLLM, LM Studio, llama.cpp, OpenRouter) through `baseURL`. */
export interface OpenAIOptions extends CommonLLMOptions {
  /** API key. Default: `OPENAI_API_KEY`; with a custom `baseURL` and no key, a placeholder (local servers ignore it). */
  apiKey?: string;
  /** API base URL including `/v1`. Default: `OPENAI_BASE_URL` or https://api.openai.com/v1. */
  baseURL?: string;
  /** Organization id. Default: `OPENAI_ORG_ID`. */
  organization?: string;
  /** Extra headers on every request (OpenRouter's `HTTP-Referer`, proxies). */
  headers?: Record<string, string>;
  /** Model used by `embed`. Default: `text-embedding-3-small`. */
  embeddingModel?: string;
  /** Requested embedding length (text-embedding-3 models can shorten vectors). Default: the model's native size. */
  embeddingDimensions?: number;
  /**
   * Request field carrying `maxTokens`. Default: `max_completion_tokens` for api.openai.com (newer models
   * reject `max_tokens`), `max_tokens` for other servers (older compatible servers only know that one).
   */
  maxTokensParameter?: 'max_tokens' | 'max_completion_tokens';
  /** Name reported as `provider` in responses and errors, e.g. `openrouter`. Default: `openai`. */
  providerName?: string;
}

const NATIVE_EMBEDDING_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

function resolveApiKey(options: OpenAIOptions, baseURL: string | undefined): string {
  const key = options.apiKey ?? process.env.OPENAI_API_KEY;
  if (key) return key;
  if (baseURL) return 'not-needed';
  throw new ConfigError([
    { path: 'apiKey', message: 'No OpenAI API key was given and OPENAI_API_KEY is not set', fix: 'export OPENAI_API_KEY=sk-... (or pass apiKey, or baseURL for a local OpenAI-compatible server)' },
  ]);
}

/** An LLM served by OpenAI's Chat Completions API through the official `openai` SDK. */
export function openai(options: OpenAIOptions): ProviderLLM {
  if (!options.model) throw new ConfigError([{ path: 'model', message: 'A model is required', fix: 'Pass a model name such as "gpt-4o-mini"' }]);
  const baseURL = options.baseURL ?? process.env.OPENAI_BASE_URL;
  const apiKey = resolveApiKey(options, baseURL);
  const provider = options.providerName ?? 'openai';
  const isOfficialApi = !baseURL || /^https:\/\/api\.openai\.com\b/.test(baseURL);
  const maxTokensField = options.maxTokensParameter ?? (isOfficialApi ? 'max_completion_tokens' : 'max_tokens');
  const embeddingModel = options.embeddingModel ?? 'text-embedding-3-small';
  const priceFor = (model: string) => options.pricing ?? (provider === 'openai' ? priceOf('openai', model) : undefined);
  const embeddingPrice = provider === 'openai' ? priceOf('openai', embeddingModel) : undefined;

  const sdkLog = createSdkLogBridge(provider);
  let client: Promise<OpenAI> | undefined;
  const getClient = () =>
    (client ??= loadSdk('openai', 'The OpenAI provider', () => import('openai')).then(
      ({ default: OpenAIClient }) =>
        new OpenAIClient({
          apiKey,
          ...(baseURL ? { baseURL } : {}),
          ...(options.organization ? { organization: options.organization } : {}),
          ...(options.headers ? { defaultHeaders: options.headers } : {}),
          fetch: signalAwareFetch(options.fetch),
          // Retries and timeouts are Entity's (createResilientCall); two layers would multiply attempts.
          maxRetries: 0,
          // The SDK prints parse errors and warnings to console otherwise, unredacted.
          logger: sdkLog.sdkLogger,
        }),
    ));

  const body = (request: ChatRequest, model: string) => ({
    model,
    messages: toOpenAIMessages(request.messages),
    ...(request.tools?.length
      ? { tools: toOpenAITools(request.tools), ...(request.toolChoice ? { tool_choice: toOpenAIToolChoice(request.toolChoice) } : {}) }
      : {}),
    ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
    ...(request.maxTokens === undefined ? {} : { [maxTokensField]: request.maxTokens }),
  });

  const dimensions = options.embeddingDimensions ?? NATIVE_EMBEDDING_DIMENSIONS[embeddingModel];
  const driver: ProviderDriver = {
    provider,
    capabilities: { streaming: true, tools: true, structuredOutput: true, embeddings: true },
    attachLogger: (log) => sdkLog.attach(log),
    embeddingModel,
    ...(dimensions === undefined ? {} : { embeddingDimensions: dimensions }),

    async chat(request, model, signal) {
      const sdk = await getClient();
      const completion = await withCallSignal(signal, () => sdk.chat.completions.create(body(request, model), { maxRetries: 0 }));
      return fromCompletion(completion, priceFor(model), model, provider);
    },

    async openStream(request, model, signal) {
      const sdk = await getClient();
      const stream = await withCallSignal(signal, () =>
        sdk.chat.completions.create({ ...body(request, model), stream: true, stream_options: { include_usage: true } }, { maxRetries: 0 }),
      );
      return streamEventsOf(stream, priceFor(model), model, provider);
    },

    async structured(request, output, model, signal) {
      const sdk = await getClient();
      const completion = await withCallSignal(signal, () =>
        sdk.chat.completions.create(
          {
            ...body({ ...request, tools: [] }, model),
            response_format: { type: 'json_schema', json_schema: { name: output.name, schema: output.schema, strict: isStrictCompatible(output.schema) } },
          },
          { maxRetries: 0 },
        ),
      );
      const { content, toolCalls: _toolCalls, ...response } = fromCompletion(completion, priceFor(model), model, provider);
      return { raw: content, response };
    },

    async embed(texts, signal): Promise<EmbeddingResponse> {
      const sdk = await getClient();
      const response = await withCallSignal(signal, () =>
        sdk.embeddings.create({ model: embeddingModel, input: texts, ...(options.embeddingDimensions ? { dimensions: options.embeddingDimensions } : {}) }, { maxRetries: 0 }),
      );
      if (!Array.isArray(response?.data) || response.data.length !== texts.length || !response.data.every((item) => Array.isArray(item.embedding))) {
        throw malformedResponse(provider, `OpenAI returned ${Array.isArray(response?.data) ? response.data.length : 'no'} embeddings for ${texts.length} inputs`);
      }
      const inputTokens = response.usage?.prompt_tokens ?? 0;
      const cost = costOf(embeddingPrice, inputTokens);
      return {
        embeddings: [...response.data].sort((first, second) => first.index - second.index).map((item) => item.embedding),
        model: response.model ?? embeddingModel,
        provider,
        usage: { inputTokens, ...(cost === undefined ? {} : { costUsd: cost }) },
      };
    },

    async healthCheck(signal, model) {
      const sdk = await getClient();
      const page = await withCallSignal(signal, () => sdk.models.list({ maxRetries: 0 }));
      const listed = (page.data ?? []).map((entry) => entry.id);
      // A server that lists models must list this one, or every call would fail with "model not found".
      if (listed.length > 0 && !listed.includes(model)) return unlistedModel(provider, sdk.baseURL, model, listed);
      return { healthy: true, message: `${provider} answers at ${sdk.baseURL}; model ${model}`, details: { provider, model, baseURL: sdk.baseURL } };
    },
  };
  return createProviderLLM(driver, { ...options, defaultTimeoutMs: DEFAULT_TIMEOUT_MS });
}
