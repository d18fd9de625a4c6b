import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The `type` of an error body, as OpenAI clients expect it. */
export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error';

/** The JSON body of every error response: OpenAI's shape, so OpenAI SDKs show `message`. */
export interface ApiErrorBody {
  error: { message: string; type: ApiErrorType; code: string; param: string | null };
}

const TYPE_BY_STATUS: Record<number, ApiErrorType> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  426: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

/**
 * An error that becomes an HTTP response as it is: the message is written for the client and
 * never carries internals. Anything else thrown in a route becomes a generic 500.
 */
export class HttpApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly options: { param?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'HttpApiError';
  }

  get body(): ApiErrorBody {
    return {
      error: { message: this.message, type: TYPE_BY_STATUS[this.status] ?? 'server_error', code: this.code, param: this.options.param ?? null },
    };
  }
}

export function isHttpApiError(value: unknown): value is HttpApiError {
  return value instanceof HttpApiError;
}
