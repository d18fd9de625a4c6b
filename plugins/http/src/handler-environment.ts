import type { Agent, Logger } from '@entity/core';
import type { Principal } from './api-keys.js';
import type { HttpHandlerOptions } from './http-options.js';
import type { TokenBucketLimiter } from './token-bucket.js';

/** Per-request values the middleware sets for the routes. */
export type HandlerEnvironment = {
  Variables: {
    principal: Principal;
    /**
     * Whether the request's credential is still accepted now: false once its key is revoked
     * from the key file or its JWT expired. Long-lived connections (WebSocket) ask before each use.
     */
    credentialStillValid: () => boolean;
    clientAddress: string | undefined;
    /** The request's id (`x-request-id`, a `traceparent` trace id, or generated): the run's correlation id. */
    requestId: string;
    /** Set when a mount answered: its own `cache-control` is then kept (a Studio's static assets may be cached). */
    mountAnswered: boolean | undefined;
  };
};

/** What every route shares: the agent, the validated options and the server's lifecycle. */
export interface HandlerState {
  readonly agent: Agent;
  readonly options: HttpHandlerOptions;
  readonly logger: Logger;
  /** Aborted when the server gives up waiting for in-flight turns; every run listens to it. */
  readonly shutdown: AbortController;
  /** Set when the server stops taking new work; new requests get 503. */
  draining: boolean;
  /** Aborted when draining begins, so long-lived responses of mounts (a live log stream) end instead of holding up the shutdown. */
  readonly drain: AbortController;
  /** The per-key rate limit, shared with the WebSocket endpoint (each message counts as a request); undefined when off. */
  readonly perKeyLimiter?: TokenBucketLimiter | undefined;
}
