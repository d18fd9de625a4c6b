import type { Agent } from '@entity/core';
import { agentOverview } from './agent-overview.js';
import { logsQuery, metricsQuery, readQuery, runIdSchema, runsQuery } from './api-schemas.js';
import { logStreamResponse } from './log-stream.js';
import { bucketize } from './metrics-series.js';
import { filterRuns, summarizeRuns } from './run-list.js';
import { timelineOf } from './run-timeline.js';
import { errorResponse, jsonResponse, StudioApiError } from './studio-responses.js';
import { isLiveLogSource, isRunLogSource, type LiveLogSource, type RunLogSource, type StudioMountContext, type StudioPrincipal } from './studio-types.js';

const HOUR_MS = 3_600_000;

/** May read what covers every user: not a chat front end's key, and not one scoped to some users. */
const canInspect = (principal: StudioPrincipal) => principal.role !== 'user' && principal.userIds === '*';
/** Events read for one list or chart; the run log's own cap. */
const EVENT_LIMIT = 10_000;

export interface StudioApiOptions {
  /** Name of the metrics resource (run log, summaries). */
  metrics: string;
  /** Name of the logging resource (live log). */
  logging: string;
  /** The agent's config document, shown masked on the Agent screen. */
  config: unknown;
  /** Live log streams open at once; more get a 429. */
  maxLogStreams: number;
}

type Route = (url: URL, principal: StudioPrincipal, context: StudioMountContext, request: Request) => Promise<Response> | Response;

/**
 * The JSON API of the page. Every route reads; chat goes through the serving layer's own `/v1`.
 * Runs, logs, metrics and config cover every user, so they are for admin and viewer keys that
 * may read every user (`userIds: '*'`); a `user` key (what chat front ends hold), or a key scoped
 * to some users (a JWT viewer token acts for its own `sub`), sees only its session.
 */
export function createStudioApi(agent: Agent, options: StudioApiOptions): (request: Request, subpath: string, context: StudioMountContext) => Promise<Response> {
  const resourceOf = <T>(name: string, check: (value: unknown) => value is T, missing: string): T => {
    const names = agent.describe().resources.map((resource) => resource.name);
    const value = names.includes(name) ? agent.resource<unknown>(name) : undefined;
    if (!check(value)) throw new StudioApiError(404, 'resource_unavailable', missing);
    return value;
  };
  const metrics = (): RunLogSource =>
    resourceOf(options.metrics, isRunLogSource, `This agent has no run log: add the metrics resource of @entity/metrics (resource "${options.metrics}") to see runs and charts`);
  const logging = (): LiveLogSource =>
    resourceOf(options.logging, isLiveLogSource, `This agent's logging resource "${options.logging}" has no live subscriptions: use @entity/logging (with live not turned off) to watch the log here`);
  // Each open stream is a listener the logger calls, and a redaction, for every entry it writes:
  // without a bound, a key that opens streams and never reads them makes every log line slower.
  let openLogStreams = 0;

  const routes: Record<string, Route> = {
    '/session': (_url, principal) =>
      jsonResponse({
        agent: agent.name,
        name: principal.name,
        role: principal.role,
        userIds: principal.userIds,
        canChat: principal.role !== 'viewer',
        canInspect: canInspect(principal),
      }),
    '/runs': async (url) => {
      const query = readQuery(url, runsQuery);
      const to = query.to ?? new Date(Date.now() + 1);
      const from = query.from ?? new Date(to.getTime() - query.hours * HOUR_MS);
      if (from >= to) throw new StudioApiError(400, 'invalid_query', 'query parameter "from" must be before "to"');
      const events = await metrics().runLog({ from, to, limit: EVENT_LIMIT, ...(query.userId ? { userId: query.userId } : {}) });
      const runs = filterRuns(summarizeRuns(events), query);
      return jsonResponse({ from: from.getTime(), to: to.getTime(), total: runs.length, runs: runs.slice(0, query.limit), truncated: events.length >= EVENT_LIMIT });
    },
    '/metrics': async (url) => {
      const query = readQuery(url, metricsQuery);
      const to = Date.now() + 1;
      const from = to - query.hours * HOUR_MS;
      const source = metrics();
      const userOption = query.userId ? { userId: query.userId } : {};
      const [events, summary] = await Promise.all([
        source.runLog({ from: new Date(from), to: new Date(to), limit: EVENT_LIMIT, ...userOption }),
        source.summary(query.hours, userOption),
      ]);
      return jsonResponse({ from, to, buckets: bucketize(events, from, to, query.buckets), summary, truncated: events.length >= EVENT_LIMIT });
    },
    '/agent': () => jsonResponse(agentOverview(agent, options.config)),
    '/logs': (url, _principal, context, request) => {
      const query = readQuery(url, logsQuery);
      const source = logging();
      if (openLogStreams >= options.maxLogStreams) {
        throw new StudioApiError(429, 'too_many_log_streams', `${options.maxLogStreams} live log views are open, the limit of this Studio; close one (another tab or window) or raise the maxLogStreams option`);
      }
      openLogStreams++;
      // Ends when the server starts draining, so a restart does not wait for open log views (they reconnect).
      try {
        return logStreamResponse(source, query, [request.signal, context.signal, ...(context.draining ? [context.draining] : [])], () => {
          openLogStreams--;
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new StudioApiError(404, 'resource_unavailable', `This agent's logging resource "${options.logging}" refused a live subscription (${reason}); turn its live option on to watch the log here`);
      }
    },
  };
  const readers: Record<string, boolean> = { '/session': true };

  return async (request, subpath, context) => {
    try {
      const principal = context.principal;
      if (!principal) throw new StudioApiError(401, 'missing_api_key', 'Send the serving layer\'s API key as a Bearer token');
      if (request.method !== 'GET') throw new StudioApiError(405, 'method_not_allowed', `The Studio API only reads: use GET, not ${request.method}`);
      const url = new URL(request.url);
      const runMatch = /^\/runs\/([^/]+)$/.exec(subpath);
      const route = runMatch ? '/runs/:id' : subpath;
      if (!readers[route] && principal.role === 'user') {
        throw new StudioApiError(403, 'forbidden_role', "A user key can chat but not read runs, logs, metrics or config (they cover every user); use a viewer or admin key with userIds '*'");
      }
      if (!readers[route] && !canInspect(principal)) {
        throw new StudioApiError(403, 'forbidden_user', `This key may read only users ${(principal.userIds as readonly string[]).join(', ')}; runs, logs, metrics and config cover every user, so they need a viewer or admin key with userIds '*'`);
      }
      if (runMatch) {
        let decoded: string;
        try {
          decoded = decodeURIComponent(runMatch[1]!);
        } catch {
          // A malformed escape (`%E0%A4%A`) is the caller's mistake, not a server error.
          throw new StudioApiError(400, 'invalid_run_id', 'run id is not valid percent-encoding; encode it with encodeURIComponent');
        }
        const parsed = runIdSchema.safeParse(decoded);
        if (!parsed.success) throw new StudioApiError(400, 'invalid_run_id', `run id ${parsed.error.issues[0]!.message}`);
        readQuery(url, runsQuery.pick({}));
        const timeline = timelineOf(parsed.data, await metrics().runLog(parsed.data));
        if (!timeline) throw new StudioApiError(404, 'run_not_found', `No run "${parsed.data}" in the run log (it may be older than the metrics retention)`);
        return jsonResponse(timeline);
      }
      const handler = routes[route];
      if (!handler) throw new StudioApiError(404, 'not_found', `No Studio API route ${subpath || '/'}; routes: ${[...Object.keys(routes), '/runs/:runId'].join(', ')}`);
      return await handler(url, principal, context, request);
    } catch (error) {
      return errorResponse(error);
    }
  };
}
