import { createSecretRedactor } from '@entity/core';

/** Every body the page can see goes through this: credentials in config, metadata or log text are censored. */
export const redactor = createSecretRedactor();

const NO_STORE = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** An error whose message is written for the page (never internals). */
export class StudioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'StudioApiError';
  }
}

/** A JSON answer, redacted, never cached (it holds data of the agent's users). */
export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(redactor.fields(body)), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE } });
}

/** The serving layer's error shape (`{ error: { message, type, code } }`), so the page reads one format. */
export function errorResponse(error: unknown): Response {
  if (error instanceof StudioApiError) {
    const type = error.status === 400 ? 'invalid_request_error' : error.status === 403 ? 'permission_error' : error.status === 404 ? 'not_found_error' : error.status === 429 ? 'rate_limit_error' : 'server_error';
    return jsonResponse({ error: { message: error.message, type, code: error.code, param: null } }, error.status);
  }
  return jsonResponse({ error: { message: 'The Studio could not answer; the server log has the details', type: 'server_error', code: 'internal_error', param: null } }, 500);
}
