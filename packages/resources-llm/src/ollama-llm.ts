import { type ChatRequest, ConfigError, type EmbeddingResponse, ProviderError } from '@entity/core';
import type { Ollama } from 'ollama';
import { signalAwareFetch, withCallSignal } from './call-signal.js';
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

/** One SDK client per resource; each call runs with its signal (the SDK takes none for non-streamed calls). */
export function ollamaClientFactory(host: string, baseFetch?: typeof globalThis.fetch, headers?: Record<string, string>) {
  const fetch = signalAwareFetch(baseFetch);
  let client: Promise<Ollama> | undefined;
  const getClient = () =>
    (client ??= loadSdk('ollama', 'The Ollama provider', () => import('ollama')).then(
      ({ Ollama: OllamaClient }) => new OllamaClient({ host, fetch, ...(headers ? { headers } : {}) }),
    ));
  return async <T>(signal: AbortSignal, use: (client: Ollama) => Promise<T>): Promise<T> => {
    const sdk = await getClient();
    return withCallSignal(signal, () => use(sdk));
  };
}

/** An LLM served by a local (or remote) Ollama through the official `ollama` SDK. */
export function ollama(options: OllamaOptions): ProviderLLM {
  if (!options.model) throw new ConfigError([{ path: 'model', message: 'A model is required', fix: 'Pass a model name such as "llama3.2:3b"' }]);
  const host = normaliseOllamaHost(options.host ?? process.env.OLLAMA_HOST);
  const withClient = ollamaClientFactory(host, options.fetch, options.headers);
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
      const response = await withClient(signal, (client) => client.chat({ ...body(request, model), stream: false }));
      return fromOllamaResponse(response, price, model);
    },

    async openStream(request, model, signal) {
      // A streamed call passes its own signal to fetch; ours joins it there, so aborting stops the body too.
      const chunks = await withClient(signal, (client) => client.chat({ ...body(request, model), stream: true }));
      return streamEventsOf(chunks, price, model);
    },

    async structured(request, output, model, signal) {
      const reply = await withClient(signal, (client) => client.chat({ ...body({ ...request, tools: [] }, model), format: output.schema, stream: false }));
      const response = fromOllamaResponse(reply, price, model);
      const { content, toolCalls: _toolCalls, ...rest } = response;
      return { raw: content, response: rest };
    },

    async embed(texts, signal): Promise<EmbeddingResponse> {
      const response = await withClient(signal, (client) => client.embed({ model: embeddingModel, input: texts, ...(options.embeddingDimensions ? { dimensions: options.embeddingDimensions } : {}), ...keepAlive }));
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
      const { models } = await withClient(signal, (client) => client.list());
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
