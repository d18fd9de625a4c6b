/**
 * The shapes the Studio reads from the agent and the serving layer, written out structurally so
 * this package needs neither `@entity/plugin-http` nor `@entity/metrics` at run time.
 */

/** Role of the credential, as `@entity/plugin-http` names them: viewers read only. */
export type StudioRole = 'admin' | 'user' | 'viewer';

/** Who calls, as `@entity/plugin-http`'s `HttpMountContext.principal` describes it. */
export interface StudioPrincipal {
  name: string;
  role: StudioRole;
  userIds: readonly string[] | '*';
}

/** What a mount learns about a request (a subset of `@entity/plugin-http`'s `HttpMountContext`). */
export interface StudioMountContext {
  principal: StudioPrincipal | undefined;
  requestId: string;
  signal: AbortSignal;
  /** Aborted when the server starts shutting down (newer `@entity/plugin-http`): live streams end then. */
  draining?: AbortSignal;
}

/** A mount of `@entity/plugin-http` (its `HttpMount`): `serveHttp(agent, { mounts: studioMounts(agent) })`. */
export interface StudioMount {
  path: string;
  roles?: StudioRole[];
  public?: boolean;
  handle(request: Request, context: StudioMountContext): Promise<Response>;
}

/** One event of the run log (`@entity/metrics`' `RunLogEntry`). */
export interface StudioRunEvent {
  id: string;
  kind: string;
  name: string;
  startedAt: number;
  durationMs?: number;
  runId?: string;
  userId?: string;
  conversationId?: string;
  stage?: string;
  iteration?: number;
  operation?: string;
  operationId?: number;
  parentId?: number;
  success?: boolean;
  errorType?: string;
  model?: string;
  provider?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  metadata?: Record<string, unknown>;
  depth?: number;
}

/** The part of `@entity/metrics`' resource the Studio reads. */
export interface RunLogSource {
  runLog(query: string | { runId?: string; userId?: string; from?: Date; to?: Date; limit?: number }): Promise<StudioRunEvent[]>;
  summary(hours?: number, options?: { userId?: string }): Promise<unknown>;
}

/** One entry of `@entity/logging`'s live subscription (its `LogEntry`). */
export interface StudioLogEntry {
  time: number;
  level: string;
  levelValue: number;
  message: string;
  fields: Record<string, unknown> | undefined;
  bindings: Record<string, unknown>;
}

/** The part of `@entity/logging`'s resource the Studio reads. */
export interface LiveLogSource {
  subscribe(listener: (entry: StudioLogEntry) => void): () => void;
}

export const isRunLogSource = (value: unknown): value is RunLogSource =>
  typeof value === 'object' && value !== null && typeof (value as RunLogSource).runLog === 'function' && typeof (value as RunLogSource).summary === 'function';

export const isLiveLogSource = (value: unknown): value is LiveLogSource =>
  typeof value === 'object' && value !== null && typeof (value as LiveLogSource).subscribe === 'function';
