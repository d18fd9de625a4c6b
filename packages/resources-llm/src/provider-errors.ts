import { CancelledError, EntityError, ProviderError, TimeoutError, ValidationError } from '@entity/core';

/** Stable codes of provider failures, for callers that branch on them (CLI, fallback, retries). */
export const LLM_ERROR_CODES = {
  /** No model can be reached, or the configured local model is not installed. */
  unavailable: 'LLM_UNAVAILABLE',
  rateLimited: 'LLM_RATE_LIMITED',
  /** 5xx, overloaded, or the connection failed: worth retrying elsewhere or later. */
  providerDown: 'LLM_PROVIDER_UNAVAILABLE',
  authentication: 'LLM_AUTHENTICATION_FAILED',
  /** The provider rejected the request as invalid (4xx): retrying cannot help. */
  badRequest: 'LLM_BAD_REQUEST',
  /** The provider answered with something that is not the documented format. */
  malformedResponse: 'LLM_MALFORMED_RESPONSE',
  /** Structured output did not match its schema, even after one retry. */
  invalidOutput: 'LLM_OUTPUT_INVALID',
  /** Every provider of a fallback chain failed. */
  allProvidersFailed: 'LLM_ALL_PROVIDERS_FAILED',
} as const;

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

const SAFE_MESSAGE = 'The language model is unavailable right now. Please try again in a moment.';

interface HttpLikeError {
  status?: unknown;
  status_code?: unknown;
  headers?: unknown;
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
}

/** Parses `retry-after-ms` and `retry-after` (seconds or HTTP date) into milliseconds. */
export function retryAfterFrom(headers: unknown, now = Date.now()): number | undefined {
  const get = (name: string): string | null | undefined => {
    if (!headers) return undefined;
    if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  const milliseconds = Number.parseFloat(get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const header = get('retry-after');
  if (!header) return undefined;
  const seconds = Number.parseFloat(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as HttpLikeError).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as HttpLikeError).cause;
  }
  return undefined;
}

/** Strips the SDK's "429 " status prefix and caps the length: provider messages go to logs, not users. */
function describe(error: HttpLikeError): string {
  const text = typeof error.message === 'string' ? error.message : String(error);
  return text.replace(/^\d{3}\s+/, '').slice(0, 500);
}

/**
 * Turns whatever an SDK threw into a core error: `ProviderError` with status, retryability and
 * `retry-after`; `CancelledError` / `TimeoutError` for aborts (using the signal's reason).
 */
export function toProviderError(provider: string, error: unknown, signal?: AbortSignal): unknown {
  if (EntityError.isInstance(error)) return error;
  const reason: unknown = signal?.aborted ? signal.reason : undefined;
  const info = (error ?? {}) as HttpLikeError;
  const isAbort = info.name === 'AbortError' || info.name === 'APIUserAbortError' || (signal?.aborted ?? false);
  if (isAbort) {
    if (TimeoutError.isInstance(reason) || CancelledError.isInstance(reason)) return reason;
    return new CancelledError(`The ${provider} call was cancelled`, { cause: error });
  }
  const status = typeof info.status === 'number' ? info.status : typeof info.status_code === 'number' ? info.status_code : undefined;
  if (status !== undefined) {
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const code =
      status === 429
        ? LLM_ERROR_CODES.rateLimited
        : status === 401 || status === 403
          ? LLM_ERROR_CODES.authentication
          : status >= 500 || status === 408 || status === 409
            ? LLM_ERROR_CODES.providerDown
            : LLM_ERROR_CODES.badRequest;
    const retryAfterMs = retryAfterFrom(info.headers);
    return new ProviderError(provider, `${provider} returned HTTP ${status}: ${describe(info)}`, {
      code,
      status,
      retryable,
      cause: error,
      safeMessage: SAFE_MESSAGE,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  const network = networkCode(error);
  if (network || info.name === 'APIConnectionError' || info.name === 'APIConnectionTimeoutError' || (error instanceof TypeError && /fetch failed/i.test(String(info.message)))) {
    return new ProviderError(provider, `Could not reach ${provider}${network ? ` (${network})` : ''}: ${describe(info)}`, {
      code: LLM_ERROR_CODES.providerDown,
      retryable: true,
      cause: error,
      safeMessage: SAFE_MESSAGE,
    });
  }
  if (error instanceof SyntaxError || /JSON|Unexpected token|Unexpected end/i.test(String(info.message))) {
    return malformedResponse(provider, `${provider} sent a response that is not valid JSON: ${describe(info)}`, error);
  }
  return new ProviderError(provider, `${provider} call failed: ${describe(info)}`, {
    code: LLM_ERROR_CODES.providerDown,
    retryable: false,
    cause: error,
    safeMessage: SAFE_MESSAGE,
  });
}

/** A response that does not follow the provider's documented format. Not retried: it is a bug or a proxy, not a blip. */
export function malformedResponse(provider: string, message: string, cause?: unknown): ProviderError {
  return new ProviderError(provider, message, {
    code: LLM_ERROR_CODES.malformedResponse,
    retryable: false,
    safeMessage: SAFE_MESSAGE,
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Errors that say nothing about the provider's health and must not open its circuit. */
export function isCallerError(error: unknown): boolean {
  if (CancelledError.isInstance(error)) return true;
  if (ValidationError.isInstance(error)) return true;
  // A model that is not installed is a setup problem, not an outage.
  if (EntityError.isInstance(error) && error.code === LLM_ERROR_CODES.unavailable) return true;
  if (ProviderError.isInstance(error) && error.status !== undefined) {
    return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
  }
  return false;
}
