/**
 * The shapes `@entity/plugin-http` mounts extra endpoints with (`createHandler({ mounts })`,
 * `serveHttp(agent, { mounts })`), written out here so this package needs no dependency on it:
 * the serving layer authenticates the caller (unless `public`), checks `roles`, and calls
 * `handle` with the caller's principal.
 */
export type HttpRole = 'admin' | 'user' | 'viewer';

/** The authenticated caller, as `@entity/plugin-http` describes it. */
export interface HttpPrincipal {
  /** The key's name (or the JWT subject); `anonymous` in development mode. */
  name: string;
  role: HttpRole;
  /** The Entity user ids the credential may act as; `*` for any. */
  userIds: readonly string[] | '*';
}

export interface HttpMount {
  /** Path the endpoint answers on (exact match). */
  path: string;
  /** Roles allowed to call it; checked by the serving layer. */
  roles?: HttpRole[];
  /** No credential needed (the agent card). */
  public?: boolean;
  handle(request: Request, context: { principal: HttpPrincipal | undefined; signal: AbortSignal }): Response | Promise<Response>;
}
