import { type Message, Role, type Task, TaskState } from '@a2a-js/sdk';
import { ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory, RestTransportFactory } from '@a2a-js/sdk/client';
import { ConfigError, defineTool, redactSecrets, type Tool, ToolError } from '@entity/core';
import { configIssuesFrom } from '@entity/core/internal';
import { z } from 'zod';
import { type A2AAgentSettings, a2aAgentSettingsSchema } from './a2a-agent-options.js';
import { stateName, TERMINAL_STATES, textOfParts, textOfTask, textPart } from './a2a-parts.js';
import { guardedFetch, originOf, RemoteRefusal } from './guarded-fetch.js';

/** Default budget of one call to a remote agent: 60 s. */
export const DEFAULT_A2A_TIMEOUT_MS = 60_000;
/** Default largest reply: 1 MiB. */
export const DEFAULT_MAX_REPLY_BYTES = 1024 * 1024;
const CARD_PATH = '/.well-known/agent-card.json';
const CARD_TTL_MS = 60_000;
const POLL_DELAYS_MS = [100, 200, 400, 800, 1000];

export interface A2AAgentToolOptions extends A2AAgentSettings {
  /** The `fetch` calls go through (a proxy-aware one, say). Default: the global `fetch`. */
  fetch?: typeof fetch;
}

/** What the tool returns to the model. */
export interface A2AAgentReply {
  /** The remote agent's answer. */
  text: string;
  /** `completed`, or `input-required` when the agent asks something back (answer with the same contextId and taskId). */
  state: string;
  /** Pass it back to continue the conversation with the agent. */
  contextId: string;
  taskId?: string;
}

const toolInput = z.object({
  message: z.string().min(1).max(100_000).describe('What to ask the remote agent; make it self-contained.'),
  contextId: z.string().min(1).max(512).optional().describe('The contextId of an earlier reply, to continue that conversation.'),
  taskId: z.string().min(1).max(512).optional().describe('The taskId of an earlier input-required reply, to answer its question.'),
});

function defaultName(url: URL): string {
  return `a2a_${url.hostname.replace(/[^a-zA-Z0-9_-]/g, '_')}`.slice(0, 64);
}

function parseSettings(options: A2AAgentToolOptions): A2AAgentSettings {
  const { fetch: _fetch, ...settings } = options;
  const parsed = a2aAgentSettingsSchema.safeParse(settings);
  if (!parsed.success) throw new ConfigError(configIssuesFrom(parsed.error, ['a2aAgentTool'], a2aAgentSettingsSchema));
  return parsed.data;
}

/** The error code of a `fetch` that never got an answer (`ECONNREFUSED`, `ENOTFOUND`...). */
function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}

function refusalIn(error: unknown, refusals: RemoteRefusal[]): RemoteRefusal | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof RemoteRefusal) return current;
  }
  return refusals[0];
}

function clip(text: string, length = 500): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/**
 * A remote A2A agent as a tool of an Entity agent, on the official `@a2a-js/sdk` client. The
 * model sends a message and gets the agent's answer; every remote failure (unreachable, slow,
 * an error reply, a failed/rejected/canceled task, a reply over `maxReplyBytes`, a card or
 * redirect leading to a host not allowed) is a `ToolError` with a clear message, never a crashed
 * turn. Calls go only to the agent's origin and `allowedOrigins`.
 */
export function a2aAgentTool(options: A2AAgentToolOptions): Tool<z.output<typeof toolInput>, A2AAgentReply> {
  const settings = parseSettings(options);
  const baseUrl = new URL(settings.url);
  const cardUrl = new URL(settings.cardPath ?? CARD_PATH, baseUrl);
  const allowedOrigins = new Set([originOf(baseUrl), ...(settings.allowedOrigins ?? []).map((origin) => originOf(new URL(origin)))]);
  const name = settings.name ?? defaultName(baseUrl);
  const timeoutMs = settings.timeoutMs ?? DEFAULT_A2A_TIMEOUT_MS;
  const maxResponseBytes = settings.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES;
  const where = `remote agent "${name}" (${baseUrl.origin})`;
  let cached: { card: Awaited<ReturnType<DefaultAgentCardResolver['resolve']>>; until: number } | undefined;

  async function call(args: z.output<typeof toolInput>, runSignal: AbortSignal): Promise<A2AAgentReply> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([runSignal, timeout]);
    const refusals: RemoteRefusal[] = [];
    const fetchImpl = guardedFetch({ allowedOrigins, headers: settings.headers ?? {}, maxResponseBytes, signal, refusals, ...(options.fetch ? { fetch: options.fetch } : {}) });
    try {
      if (!cached || cached.until < Date.now()) {
        const card = await new DefaultAgentCardResolver({ fetchImpl, legacyCompat: { enabled: true } }).resolve(cardUrl.href, '');
        cached = { card, until: Date.now() + CARD_TTL_MS };
      }
      // legacyCompat: agents still on A2A v0.3 (no v1.0 interface in their card) are reached with v0.3 calls.
      const legacyCompat = { enabled: true };
      const factory = new ClientFactory({ transports: [new JsonRpcTransportFactory({ fetchImpl, legacyCompat }), new RestTransportFactory({ fetchImpl, legacyCompat })] });
      const client = await factory.createFromAgentCard(cached.card);
      const message: Message = {
        messageId: crypto.randomUUID(),
        contextId: args.contextId ?? '',
        taskId: args.taskId ?? '',
        role: Role.ROLE_USER,
        parts: [textPart(args.message)],
        metadata: undefined,
        extensions: [],
        referenceTaskIds: [],
      };
      const result = await client.sendMessage({ tenant: '', message, configuration: undefined, metadata: undefined }, { signal });
      if (!('status' in result)) {
        return { text: textOfParts(result.parts).text, state: 'completed', contextId: result.contextId };
      }
      let task: Task = result;
      for (let attempt = 0; !TERMINAL_STATES.has(task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED) && task.status?.state !== TaskState.TASK_STATE_INPUT_REQUIRED && task.status?.state !== TaskState.TASK_STATE_AUTH_REQUIRED; attempt++) {
        // A server may answer before the task ends (`returnImmediately`, or a long task): poll until it does.
        await new Promise((resolve) => setTimeout(resolve, POLL_DELAYS_MS[Math.min(attempt, POLL_DELAYS_MS.length - 1)]));
        signal.throwIfAborted();
        task = await client.getTask({ tenant: '', id: task.id }, { signal });
      }
      const state = task.status?.state;
      if (state === TaskState.TASK_STATE_COMPLETED || state === TaskState.TASK_STATE_INPUT_REQUIRED) {
        return { text: textOfTask(task), state: stateName(state), contextId: task.contextId, taskId: task.id };
      }
      const said = task.status?.message ? textOfParts(task.status.message.parts).text : '';
      throw new ToolError(name, `${where} ended the task as ${stateName(state)}${said ? `: ${clip(said)}` : ''}`, { code: 'A2A_TASK_NOT_COMPLETED' });
    } catch (error) {
      if (ToolError.isInstance(error)) throw error;
      cached = undefined;
      // The run itself was cancelled: not the remote agent's failure; the engine handles it.
      if (runSignal.aborted) throw error;
      if (timeout.aborted) throw new ToolError(name, `${where} did not answer within ${timeoutMs} ms`, { code: 'A2A_TIMEOUT', cause: error });
      const refusal = refusalIn(error, refusals);
      if (refusal) throw new ToolError(name, `${where}: ${refusal.message}`, { code: refusal.reason === 'too-large' ? 'A2A_REPLY_TOO_LARGE' : 'A2A_REFUSED', cause: error });
      const code = networkCode(error);
      if (code) throw new ToolError(name, `${where} is unreachable (${code})`, { code: 'A2A_UNREACHABLE', cause: error });
      throw new ToolError(name, `${where} failed: ${clip(redactSecrets(error instanceof Error ? error.message : String(error)))}`, { code: 'A2A_FAILED', cause: error });
    }
  }

  return defineTool({
    name,
    description: settings.description ?? `Ask the remote agent at ${baseUrl.origin} (over A2A). Send a self-contained message; the reply is its answer, with a contextId to continue the conversation.`,
    input: toolInput,
    // A little longer than the call's own budget, so the clearer timeout message above wins.
    timeoutMs: timeoutMs + 1_000,
    execute: (args, context) => call(args, context.signal),
  });
}
