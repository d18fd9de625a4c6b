import {
  CancelledError,
  type CallOptions,
  type ChatMessage,
  type ChatRequest,
  type ChatResponse,
  type ChatStreamEvent,
  CircuitBreaker,
  CircuitOpenError,
  createResilientCall,
  type EmbeddingResponse,
  type HealthReport,
  isRetryableError,
  type LLM,
  type LLMCapabilities,
  type Logger,
  type ResilientCall,
  type ResourceStartContext,
  type StructuredRequest,
  type StructuredResponse,
  TimeoutError,
  ValidationError,
  withTimeout,
} from '@entity/core';
import { linkSignals } from './call-signal.js';
import { type CommonLLMOptions, DEFAULT_FAILURE_THRESHOLD, DEFAULT_RETRY, DEFAULT_TIMEOUT_MS } from './llm-options.js';
import { addUsage } from './pricing.js';
import { isCallerError, LLM_ERROR_CODES, toProviderError } from './provider-errors.js';
import { type OutputSchema, parseStructured, toOutputSchema } from './structured-output.js';

/** One attempt of structured output: the raw JSON text the model produced, and the call's metadata. */
export interface StructuredAttempt {
  raw: string;
  response: Omit<ChatResponse, 'content' | 'toolCalls'>;
}

/**
 * What a provider implements: single attempts that speak its SDK. Retries, timeouts, the
 * circuit breaker, streaming lifetimes and structured-output validation are added once, by
 * `createProviderLLM`, for every provider alike.
 */
export interface ProviderDriver {
  readonly provider: string;
  readonly capabilities: LLMCapabilities;
  readonly embeddingDimensions?: number;
  /** Model used by `embed`. */
  readonly embeddingModel?: string;
  chat(request: ChatRequest, model: string, signal: AbortSignal): Promise<ChatResponse>;
  /** Resolves once the provider accepted the request (so retries cover connection errors and 429s); events follow. */
  openStream(request: ChatRequest, model: string, signal: AbortSignal): Promise<AsyncIterable<ChatStreamEvent>>;
  structured(request: ChatRequest, output: OutputSchema, model: string, signal: AbortSignal): Promise<StructuredAttempt>;
  embed?(texts: string[], signal: AbortSignal): Promise<EmbeddingResponse>;
  /** Receives the resource's logger at start, for the SDK's own messages. */
  attachLogger?(log: Logger): void;
  /** Maps provider-specific failures (a missing Ollama model) before the generic mapping. */
  translateError?(error: unknown, model: string): unknown;
  healthCheck(signal: AbortSignal, model: string): Promise<HealthReport>;
}

/** An LLM resource backed by one provider, with its circuit breaker exposed for health and tests. */
export interface ProviderLLM extends LLM {
  readonly circuitBreaker: CircuitBreaker | undefined;
  stream(request: ChatRequest): AsyncIterable<ChatStreamEvent>;
  generateObject<T>(request: StructuredRequest<T>): Promise<StructuredResponse<T>>;
}

export function createProviderLLM(driver: ProviderDriver, options: CommonLLMOptions & { defaultTimeoutMs?: number }): ProviderLLM {
  const timeoutMs = options.timeoutMs ?? options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  let log: Logger | undefined = options.logger;
  if (options.logger) driver.attachLogger?.(options.logger);
  const breaker =
    options.circuitBreaker === false
      ? undefined
      : options.circuitBreaker instanceof CircuitBreaker
        ? options.circuitBreaker
        : new CircuitBreaker({
            name: `llm:${driver.provider}`,
            failureThreshold: options.circuitBreaker?.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD,
            ...(options.circuitBreaker?.resetTimeoutMs === undefined ? {} : { resetTimeoutMs: options.circuitBreaker.resetTimeoutMs }),
            ...(options.circuitBreaker?.now === undefined ? {} : { now: options.circuitBreaker.now }),
            isIgnorable: isCallerError,
            onStateChange: (from, to, name) => log?.warn(`Circuit ${name} ${from} -> ${to}`, { component: 'resource', provider: driver.provider, circuit: name }),
          });
  const retry = options.retry === false ? false : { ...DEFAULT_RETRY, ...options.retry };
  const call: ResilientCall = createResilientCall({
    name: `llm:${driver.provider}`,
    timeoutMs,
    circuitBreaker: breaker ?? false,
    retry:
      retry === false
        ? false
        : {
            ...retry,
            // An open circuit will not close within a backoff; failing fast lets a fallback chain move on.
            shouldRetry: (error) => !CircuitOpenError.isInstance(error) && isRetryableError(error),
            onRetry: (error, attempt, delayMs) =>
              log?.warn(`LLM call to ${driver.provider} failed; retry ${attempt} in ${delayMs} ms`, {
                component: 'resource',
                provider: driver.provider,
                errorType: (error as Error).name,
                errorCode: (error as { code?: unknown }).code,
              }),
          },
  });

  const modelOf = (request: { model?: string }) => request.model ?? options.model;
  const withDefaults = <R extends ChatRequest>(request: R): R => {
    const temperature = request.temperature === undefined ? options.temperature : undefined;
    const maxTokens = request.maxTokens === undefined ? options.maxTokens : undefined;
    if (temperature === undefined && maxTokens === undefined) return request;
    return { ...request, ...(temperature === undefined ? {} : { temperature }), ...(maxTokens === undefined ? {} : { maxTokens }) };
  };
  const normalise = (error: unknown, signal: AbortSignal | undefined, model: string) => {
    const translated = driver.translateError ? driver.translateError(error, model) : error;
    return toProviderError(driver.provider, translated, signal);
  };
  const run = <T>(operation: (signal: AbortSignal) => Promise<T>, model: string, callOptions: CallOptions) =>
    call((signal) => operation(signal).catch((error: unknown) => Promise.reject(normalise(error, signal, model))), {
      signal: callOptions.signal,
      ...(callOptions.timeoutMs === undefined ? {} : { timeoutMs: callOptions.timeoutMs }),
    });

  const llm: ProviderLLM = {
    provider: driver.provider,
    model: options.model,
    capabilities: driver.capabilities,
    ...(driver.embeddingDimensions === undefined ? {} : { embeddingDimensions: driver.embeddingDimensions }),
    circuitBreaker: breaker,

    start(context: ResourceStartContext) {
      log = options.logger ?? context.log;
      driver.attachLogger?.(log);
    },

    chat(request) {
      const model = modelOf(request);
      return run((signal) => driver.chat(withDefaults(request), model, signal), model, request);
    },

    async *stream(request) {
      const model = modelOf(request);
      const budgetMs = request.timeoutMs ?? timeoutMs;
      const parent = request.signal;
      if (parent?.aborted) throw new CancelledError();
      const lifetime = new AbortController();
      const onParentAbort = () => lifetime.abort(new CancelledError());
      parent?.addEventListener('abort', onParentAbort, { once: true });
      const lifetimeError = () => (lifetime.signal.aborted ? (lifetime.signal.reason as unknown) : undefined);
      let idleTimer: NodeJS.Timeout | undefined;
      let waitingForProvider = false;
      let finished = false;
      try {
        let events: AsyncIterable<ChatStreamEvent>;
        try {
          events = await run((signal) => driver.openStream(withDefaults(request), model, linkSignals(signal, lifetime.signal)), model, {
            signal: lifetime.signal,
            timeoutMs: budgetMs,
          });
        } catch (error) {
          throw TimeoutError.isInstance(lifetimeError()) ? lifetimeError() : error;
        }
        if (budgetMs > 0 && Number.isFinite(budgetMs)) {
          // One timer per stream, refreshed per event; time the consumer spends on an event does not count.
          idleTimer = setTimeout(function onIdle() {
            if (!waitingForProvider) {
              idleTimer?.refresh();
              return;
            }
            lifetime.abort(new TimeoutError(`Stream from ${driver.provider} sent nothing for ${budgetMs} ms`, budgetMs));
          }, budgetMs);
        }
        waitingForProvider = true;
        try {
          for await (const event of events) {
            // Events the SDK had buffered before an abort must not reach the caller after it.
            if (lifetime.signal.aborted) break;
            waitingForProvider = false;
            // `finish` is the last event of a stream: a consumer that stops on it (the engine does)
            // has read everything, so there is no response left to end and nothing to abort.
            if (event.type === 'finish') finished = true;
            yield event;
            waitingForProvider = true;
            idleTimer?.refresh();
          }
        } catch (error) {
          throw lifetimeError() ?? normalise(error, undefined, model);
        }
        if (lifetime.signal.aborted) throw lifetimeError();
        finished = true;
      } finally {
        clearTimeout(idleTimer);
        parent?.removeEventListener('abort', onParentAbort);
        // Ends the HTTP response when the consumer stopped early or the stream failed, so no socket keeps streaming.
        if (!finished && !lifetime.signal.aborted) lifetime.abort(new CancelledError('Stream closed'));
      }
    },

    async generateObject<T>(request: StructuredRequest<T>): Promise<StructuredResponse<T>> {
      const model = modelOf(request);
      const output = toOutputSchema(request.schema, request.schemaName);
      const base = withDefaults({ ...request, messages: request.messages } as ChatRequest);
      let messages: ChatMessage[] = request.messages;
      let usage: ChatResponse['usage'] | undefined;
      for (let attempt = 1; ; attempt++) {
        const result = await run((signal) => driver.structured({ ...base, messages }, output, model, signal), model, request);
        usage = usage ? addUsage(usage, result.response.usage) : result.response.usage;
        const parsed = parseStructured(result.raw, request.schema, output);
        if (parsed.success) return { ...result.response, usage, object: parsed.object, raw: result.raw };
        if (attempt >= 2) {
          throw new ValidationError(`The model's structured output did not match the schema "${output.name}" after one retry: ${parsed.problem}`, {
            code: LLM_ERROR_CODES.invalidOutput,
            safeMessage: 'The model did not produce a valid answer. Please try again.',
            details: { provider: driver.provider, model, problem: parsed.problem, raw: result.raw.slice(0, 2000) },
          });
        }
        messages = [
          ...request.messages,
          { role: 'assistant', content: result.raw },
          { role: 'user', content: `That reply was not valid (${parsed.problem}). Reply again with only JSON that matches the requested schema.` },
        ];
      }
    },

    async healthCheck() {
      try {
        // Not through the breaker: a probe must not open the circuit nor wait through retries.
        return await withTimeout((signal) => driver.healthCheck(signal, options.model), Math.min(timeoutMs, 10_000), { description: `${driver.provider} health check` });
      } catch (error) {
        const normalised = normalise(error, undefined, options.model) as Error;
        return { healthy: false, message: normalised.message, details: { provider: driver.provider, model: options.model } };
      }
    },
  };

  if (driver.embed) {
    const embed = driver.embed.bind(driver);
    llm.embed = (texts: string[], callOptions: CallOptions = {}) => {
      if (texts.length === 0) return Promise.resolve({ embeddings: [], model: driver.embeddingModel ?? options.model, provider: driver.provider, usage: { inputTokens: 0 } });
      return run((signal) => embed(texts, signal), options.model, callOptions);
    };
  }
  return llm;
}
