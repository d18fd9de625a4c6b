import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { HandlerEnvironment } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';

/** The header a request id arrives in and is echoed back in, on every response. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** What an incoming request id may look like: short, and nothing that could forge a log line or header. */
const REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;
/** W3C Trace Context `traceparent`: version 00, 32-hex trace id, 16-hex parent id, 2-hex flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/**
 * The request's id, which becomes the run's correlation id (in every log entry, span and metric
 * of the run): the client's `x-request-id` when valid (an invalid one is a 400, so a client
 * learns its ids are dropped), else the trace id of a valid W3C `traceparent` (an invalid one is
 * ignored, as Trace Context says), else a new UUID. Echoed in `x-request-id` on every response.
 */
export function requestId(): MiddlewareHandler<HandlerEnvironment> {
  return async (context, next) => {
    const sent = context.req.header(REQUEST_ID_HEADER);
    const trace = TRACEPARENT.exec(context.req.header('traceparent')?.trim().toLowerCase() ?? '');
    const valid = sent !== undefined && REQUEST_ID.test(sent);
    const id = valid ? sent : trace && !/^0+$/.test(trace[1]!) && !/^0+$/.test(trace[2]!) ? trace[1]! : randomUUID();
    context.set('requestId', id);
    context.header(REQUEST_ID_HEADER, id);
    if (sent !== undefined && !valid) {
      throw new HttpApiError(400, 'validation_failed', `Invalid header ${REQUEST_ID_HEADER}: use 1-128 letters, digits or . _ : @ / + = -`, { param: REQUEST_ID_HEADER });
    }
    return next();
  };
}
