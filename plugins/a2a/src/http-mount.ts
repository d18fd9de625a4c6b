/**
 * The shapes `@entity/plugin-http` mounts extra endpoints with (`serveHttp(agent, { mounts })`,
 * `createHandler(agent, { mounts })`), written out here so this package needs no dependency on
 * it: the serving layer authenticates the caller (unless `public`), checks `roles`, applies its
 * rate and body limits, and calls `handle`.
 */
export type HttpRole = 'admin' | 'user' | 'viewer';

/** The authenticated caller, as `@entity/plugin-http` describes it. */
export interface HttpPrincipal {
  /** The key's name (or the JWT subject); `anonymous` in development mode. */
  name: string;
  role: HttpRole;
  /** The Entity user ids the credential may act for; `*` for any. */
  userIds: readonly string[] | '*';
}

/** What a mounted handler learns beyond the `Request`. */
export interface HttpMountContext {
  /** Who is calling; undefined only on a `public` mount. */
  principal: HttpPrincipal | undefined;
  /** The user the request acts for: `requested` if the credential may act for it (else a 403), or the credential's own user. */
  userIdFor(requested?: string): string;
  /** The request's id, passed to the run as its correlation id. */
  requestId: string;
  /** Aborted when the server gives up on in-flight work at shutdown. */
  signal: AbortSignal;
}

export interface HttpMount {
  /** Where it is served: the path and everything below it. */
  path: string;
  /** Roles that may call it. */
  roles?: HttpRole[];
  /** Served without a credential (the agent card). */
  public?: boolean;
  handle(request: Request, context: HttpMountContext): Response | Promise<Response>;
}
