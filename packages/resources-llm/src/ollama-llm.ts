import { type ChatRequest, ConfigError, type EmbeddingResponse, ProviderError } from '@entity/core';
import type { Ollama } from 'ollama';
import type { CommonLLMOptions } from './llm-options.js';
import { missingOllamaModelError, normaliseOllamaHost } from './llm-unavailable.js';
import { loadSdk } from './load-sdk.js';
import { fromOllamaResponse, streamEventsOf, toOllamaMessages, toOllamaTools } from './ollama-messages.js';
import { LLM_ERROR_CODES, toProviderError } from './provider-errors.js';
import { createProviderLLM, type ProviderDriver, type ProviderLLM } from './provider-llm.js';

/** Options of `ollama()`. */
export interface OllamaOptions extends CommonLLMOptions {
  /** Server address. Default: `OLLAMA_HOST` or http://localhost:11434. */
  host?: string;
  /** Model used by `embed`. Default: `nomic-embed-text`. */
  embeddingModel?: string;
  /** Length of `embed` vectors when known in advance. Default: known for common embedding models. */
  embeddingDimensions?: number;
  /** How long Ollama keeps the model loaded after a call (`5m`, `1h`, seconds). Default: Ollama's (5 minutes). */
  keepAlive?: string | number;
  /** Extra headers on every request (a reverse proxy's auth). */
  headers?: Record<string, string>;
}

/** Local models load slowly on first use; a minute is not enough on a laptop CPU. */
export const OLLAMA_DEFAULT_TIMEOUT_MS = 120_000;

const KNOWN_EMBEDDING_DIMENSIONS: Record<string, number> = {
  'nomic-embed-text': 768,
  'mxbai-embed-large': 1024,
  'all-minilm': 384,
  'snowflake-arctic-embed': 1024,
  'bge-m3': 1024,
};

/** Loads the SDK (cached) and returns a client factory; each call gets a client whose fetch carries that call's signal. */
export function ollamaClientFactory(host: string, baseFetch?: typeof globalThis.fetch, headers?: Record<string, string>) {
  const load = () => loadSdk('ollama', 'The Ollama provider', () => import('ollama'));
  return async (signal: AbortSignal): Promise<Ollama> => {
    const { Ollama: OllamaClient } = await load();
    const fetchWith = baseFetch ?? globalThis.fetch;
    // The SDK takes no per-request signal for non-streamed calls; a fetch bound to the call adds it.
    const fetch: typeof globalThis.fetch = (input, init) => fetchWith(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    return new OllamaClient({ host, fetch, ...(headers ? { headers } : {}) });
  };
}

/** An LLM served by a local (or remote) Ollama through the official `ollama` SDK. */
export function ollama(options: OllamaOptions): ProviderLLM {
  if (!options.model) throw new ConfigError([{ path: 'model', message: 'A model is required', fix: 'Pass a model name such as "llama3.2:3b"' }]);
  const host = normaliseOllamaHost(options.host ?? process.env.OLLAMA_HOST);
  const clientFor = ollamaClientFactory(host, options.fetch, options.headers);
  const embeddingModel = options.embeddingModel ?? 'nomic-embed-text';
  const price = options.pricing;
  const keepAlive = options.keepAlive === undefined ? {} : { keep_alive: options.keepAlive };

  const body = (request: ChatRequest, model: string) => {
    const tools = toOllamaTools(request.tools, request.toolChoice);
    const modelOptions = {
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.maxTokens === undefined ? {} : { num_predict: request.maxTokens }),
    };
    return {
      model,
      messages: toOllamaMessages(request.messages),
      ...(tools ? { tools } : {}),
      ...(Object.keys(modelOptions).length > 0 ? { options: modelOptions } : {}),
      ...keepAlive,
    };
  };

  const dimensions = options.embeddingDimensions ?? KNOWN_EMBEDDING_DIMENSIONS[embeddingModel.replace(/:latest$/, '')];
  const driver: ProviderDriver = {
    provider: 'ollama',
    capabilities: { streaming: true, tools: true, structuredOutput: true, embeddings: true },
    embeddingModel,
    ...(dimensions === undefined ? {} : { embeddingDimensions: dimensions }),

    async chat(request, model, signal) {
      const client = await clientFor(signal);
      return fromOllamaResponse(await client.chat({ ...body(request, model), stream: false }), price, model);
    },

    async openStream(request, model, signal) {
      const client = await clientFor(signal);
      return streamEventsOf(await client.chat({ ...body(request, model), stream: true }), price, model);
    },

    async structured(request, output, model, signal) {
      const client = await clientFor(signal);
      const response = fromOllamaResponse(await client.chat({ ...body({ ...request, tools: [] }, model), format: output.schema, stream: false }), price, model);
      const { content, toolCalls: _toolCalls, ...rest } = response;
      return { raw: content, response: rest };
    },

    async embed(texts, signal): Promise<EmbeddingResponse> {
      const client = await clientFor(signal);
      const response = await client.embed({ model: embeddingModel, input: texts, ...(options.embeddingDimensions ? { dimensions: options.embeddingDimensions } : {}), ...keepAlive });
      if (!Array.isArray(response?.embeddings) || response.embeddings.length !== texts.length) {
        throw new ProviderError('ollama', `Ollama returned ${Array.isArray(response?.embeddings) ? response.embeddings.length : 'no'} embeddings for ${texts.length} inputs`, {
          code: LLM_ERROR_CODES.malformedResponse,
        });
      }
      return { embeddings: response.embeddings, model: response.model ?? embeddingModel, provider: 'ollama', usage: { inputTokens: response.prompt_eval_count ?? 0 } };
    },

    translateError(error, model) {
      const status = (error as { status_code?: unknown }).status_code;
      const message = String((error as { message?: unknown }).message ?? '');
      if (status === 404 && /not found/i.test(message)) {
        const missing = /model ["']?([^"'\s]+)["']? not found/i.exec(message)?.[1] ?? model;
        return missingOllamaModelError(host, missing);
      }
      const normalised = toProviderError('ollama', error);
      if (ProviderError.isInstance(normalised) && normalised.status === undefined && normalised.retryable) {
        return new ProviderError('ollama', `Could not reach Ollama at ${host}. Is it running? Start it with \`ollama serve\`. (${normalised.message})`, {
          code: normalised.code,
          retryable: true,
          cause: error,
          safeMessage: normalised.safeMessage,
        });
      }
      return error;
    },

    async healthCheck(signal, model) {
      const client = await clientFor(signal);
      const { models } = await client.list();
      const installed = models.map((entry) => entry.name);
      const wanted = model.includes(':') ? model : `${model}:latest`;
      if (!installed.includes(wanted) && !installed.includes(model)) {
        return { healthy: false, message: missingOllamaModelError(host, model, installed).message, details: { provider: 'ollama', host, model, installed } };
      }
      return { healthy: true, message: `Ollama answers at ${host} and has ${model}`, details: { provider: 'ollama', host, model, installed } };
    },
  };
  return createProviderLLM(driver, { ...options, defaultTimeoutMs: OLLAMA_DEFAULT_TIMEOUT_MS });
}
