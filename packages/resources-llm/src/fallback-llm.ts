import {
  type CallOptions,
  type ChatRequest,
  type ChatResponse,
  type ChatStreamEvent,
  CircuitOpenError,
  ConfigError,
  EntityError,
  type EmbeddingResponse,
  type HealthReport,
  isRetryableError,
  type LLM,
  ProviderError,
  type ResourceStartContext,
  type StructuredRequest,
  type StructuredResponse,
} from '@entity/core';
import { LLM_ERROR_CODES } from './provider-errors.js';

/** Options of `fallback()`. */
export interface FallbackOptions {
  /**
   * Whether a failure hands the call to the next provider. Default: retryable failures (429, 5xx,
   * timeouts, network errors), open circuits, and a local model that is not installed. Invalid
   * requests and authentication failures are not handed over: another provider would not fix them.
   */
  shouldFallback?: (error: unknown) => boolean;
}

/** An LLM that tries providers in order; responses say which provider served (`response.provider`). */
export interface FallbackLLM extends LLM {
  readonly providers: readonly LLM[];
  stream(request: ChatRequest): AsyncIterable<ChatStreamEvent>;
  generateObject<T>(request: StructuredRequest<T>): Promise<StructuredResponse<T>>;
}

export function defaultShouldFallback(error: unknown): boolean {
  if (CircuitOpenError.isInstance(error)) return true;
  if (EntityError.isInstance(error) && error.code === LLM_ERROR_CODES.unavailable) return true;
  return isRetryableError(error);
}

interface Failure {
  provider: string;
  model: string;
  code: string | undefined;
  message: string;
}

function allFailed(failures: Failure[], last: unknown): ProviderError {
  const summary = failures.map((failure) => `${failure.provider} (${failure.model}): ${failure.message.split('\n')[0]}`).join('; ');
  return new ProviderError('fallback', `All ${failures.length} providers failed: ${summary}`, {
    code: LLM_ERROR_CODES.allProvidersFailed,
    retryable: true,
    cause: last,
    safeMessage: 'The language model is unavailable right now. Please try again in a moment.',
    details: { failures },
  });
}

function failureOf(member: LLM, error: unknown): Failure {
  return {
    provider: member.provider,
    model: member.model,
    code: (error as { code?: unknown }).code as string | undefined,
    message: error instanceof Error ? error.message : String(error),
  };
}

/** Streams a provider that has no `stream` by answering in one piece. */
async function* streamFromChat(member: LLM, request: ChatRequest): AsyncGenerator<ChatStreamEvent> {
  const response: ChatResponse = await member.chat(request);
  if (response.content) yield { type: 'text-delta', text: response.content };
  for (const toolCall of response.toolCalls) yield { type: 'tool-call', toolCall };
  yield { type: 'finish', response };
}

/**
 * Tries `providers` in order: when one fails with a retryable error or its circuit is open, the
 * next serves the call. Each provider keeps its own retries and circuit breaker.
 */
export function fallback(providers: readonly LLM[], options: FallbackOptions = {}): FallbackLLM {
  if (providers.length === 0) {
    throw new ConfigError([{ path: 'providers', message: 'A fallback chain needs at least one provider', fix: 'Pass [primary, secondary, ...]' }]);
  }
  const members = [...providers];
  const [primary] = members as [LLM, ...LLM[]];
  const shouldFallback = options.shouldFallback ?? defaultShouldFallback;

  async function tryInOrder<T>(candidates: LLM[], attempt: (member: LLM) => Promise<T>): Promise<T> {
    const failures: Failure[] = [];
    let last: unknown;
    for (const member of candidates) {
      try {
        return await attempt(member);
      } catch (error) {
        if (!shouldFallback(error)) throw error;
        failures.push(failureOf(member, error));
        last = error;
      }
    }
    throw allFailed(failures, last);
  }

  const structuredMembers = members.filter((member) => member.generateObject);
  const embedder = members.find((member) => member.embed);

  const llm: FallbackLLM = {
    provider: 'fallback',
    model: primary.model,
    providers: members,
    capabilities: {
      streaming: true,
      tools: members.every((member) => member.capabilities.tools),
      structuredOutput: structuredMembers.length > 0,
      embeddings: embedder !== undefined,
    },
    ...(embedder?.embeddingDimensions === undefined ? {} : { embeddingDimensions: embedder.embeddingDimensions }),

    async start(context: ResourceStartContext) {
      for (const member of members) await member.start?.(context);
    },

    async stop() {
      for (const member of [...members].reverse()) await member.stop?.();
    },

    chat(request) {
      return tryInOrder(members, (member) => member.chat(request));
    },

    async *stream(request) {
      const failures: Failure[] = [];
      let last: unknown;
      for (const member of members) {
        let started = false;
        try {
          const events = member.stream ? member.stream(request) : streamFromChat(member, request);
          for await (const event of events) {
            started = true;
            yield event;
          }
          return;
        } catch (error) {
          // Once tokens reached the caller, switching provider would splice two different answers.
          if (started || !shouldFallback(error)) throw error;
          failures.push(failureOf(member, error));
          last = error;
        }
      }
      throw allFailed(failures, last);
    },

    generateObject<T>(request: StructuredRequest<T>) {
      if (structuredMembers.length === 0) {
        return Promise.reject(new ConfigError([{ path: 'providers', message: 'No provider of this fallback chain supports structured output', fix: 'Add an OpenAI, Anthropic or Ollama provider' }]));
      }
      return tryInOrder(structuredMembers, (member) => (member.generateObject as NonNullable<LLM['generateObject']>)<T>(request));
    },

    async healthCheck(): Promise<HealthReport> {
      const reports = await Promise.all(
        members.map(async (member) => ({ member, report: member.healthCheck ? await member.healthCheck() : { healthy: true, message: 'no health check' } })),
      );
      const healthy = reports.some(({ report }) => report.healthy);
      const lines = reports.map(({ member, report }) => `${member.provider} (${member.model}): ${report.healthy ? 'ok' : report.message}`);
      return { healthy, message: lines.join('\n'), details: { providers: reports.map(({ member, report }) => ({ provider: member.provider, model: member.model, ...report })) } };
    },
  };

  if (embedder?.embed) {
    const embed = embedder.embed.bind(embedder);
    // No hand-over for embeddings: vectors from another model live in another space and would corrupt a store.
    llm.embed = (texts: string[], callOptions?: CallOptions): Promise<EmbeddingResponse> => embed(texts, callOptions);
  }
  return llm;
}
