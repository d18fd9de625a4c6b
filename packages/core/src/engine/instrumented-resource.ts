import type { OperationEnd } from '../contracts/instrumentation.js';
import type { Stage } from '../contracts/stage.js';
import { errorTypeOf, type InstrumentationHub, toError } from './instrumentation-hub.js';

/**
 * Who is calling, read at each call (the run object itself qualifies): resource operations are
 * attributed to the run and nest under the plugin or tool that made them.
 */
export interface CallerInfo {
  readonly runId?: string;
  readonly userId?: string;
  readonly conversationId?: string;
  readonly correlationId?: string | undefined;
  /** The operation making the call. */
  readonly currentSpanId?: number;
  readonly stage?: Stage;
  readonly iteration?: number;
}

const LIFECYCLE = new Set(['start', 'stop', 'healthCheck', 'then', 'constructor', 'instrumentation', 'reconfigure']);
/** Optional capability objects of the core contracts whose methods are resource calls too. */
const NESTED_CAPABILITIES = new Set(['vectors', 'database']);

/** Model, provider and token counts read from whatever a call returned (LLM responses, embeddings). */
function attributesOf(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { model, provider, usage } = value as { model?: unknown; provider?: unknown; usage?: Record<string, unknown> };
  if (typeof model !== 'string' && typeof provider !== 'string' && !usage) return undefined;
  const attributes: Record<string, unknown> = {};
  if (typeof model === 'string') attributes.model = model;
  if (typeof provider === 'string') attributes.provider = provider;
  if (usage && typeof usage === 'object') {
    for (const key of ['inputTokens', 'outputTokens', 'totalTokens', 'costUsd']) {
      if (typeof usage[key] === 'number') attributes[key] = usage[key];
    }
  }
  return attributes;
}

async function* observeStream(
  source: AsyncIterable<unknown>,
  finish: (end: Omit<OperationEnd, 'durationMs'>) => void,
): AsyncGenerator<unknown> {
  let attributes: Record<string, unknown> | undefined;
  let failed = false;
  try {
    for await (const event of source) {
      if (typeof event === 'object' && event !== null && (event as { type?: unknown }).type === 'finish') {
        attributes = attributesOf((event as { response?: unknown }).response);
      }
      yield event;
    }
  } catch (error) {
    failed = true;
    finish({ success: false, error: toError(error), errorType: errorTypeOf(error) });
    throw error;
  } finally {
    // Also reached when the consumer stops early (e.g. returns on the `finish` event).
    if (!failed) finish({ success: true, ...(attributes ? { attributes } : {}) });
  }
}

/**
 * Wraps a resource so every method call reports its duration and outcome, without the resource
 * author writing a line. Nested plain objects (`memory.vectors`, `memory.database`) are wrapped
 * too, with their path in the operation name.
 */
export function instrumentResource<T extends object>(
  name: string,
  resource: T,
  hub: InstrumentationHub,
  caller: CallerInfo,
  path = '',
): T {
  const wrappers = new Map<PropertyKey, unknown>();
  // Methods run with `this` = the resource itself, never the proxy: a class resource's private
  // `#fields` cannot be read through a proxy. Cached per function so `ctx.resource(x).m === …m`.
  const bound = new WeakMap<(...args: unknown[]) => unknown, unknown>();
  const bindToTarget = (value: unknown, property: PropertyKey): unknown => {
    if (typeof value !== 'function' || property === 'constructor') return value;
    const method = value as (...args: unknown[]) => unknown;
    let result = bound.get(method);
    if (result === undefined) {
      result = method.bind(resource);
      bound.set(method, result);
    }
    return result;
  };
  return new Proxy(resource, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof property === 'symbol' || LIFECYCLE.has(property) || !hub.active) return bindToTarget(value, property);
      if (wrappers.has(property)) return wrappers.get(property);
      let wrapped: unknown = value;
      if (typeof value === 'function') {
        const operation = path + property;
        wrapped = function instrumented(this: unknown, ...args: unknown[]) {
          const startTime = performance.now();
          const end = hub.start({
            kind: 'resource',
            id: hub.newId(),
            name,
            operation,
            ...(caller.runId === undefined ? {} : { runId: caller.runId }),
            ...(caller.userId === undefined ? {} : { userId: caller.userId }),
            ...(caller.conversationId === undefined ? {} : { conversationId: caller.conversationId }),
            ...(caller.correlationId === undefined ? {} : { correlationId: caller.correlationId }),
            ...(caller.currentSpanId === undefined ? {} : { parentId: caller.currentSpanId }),
            ...(caller.stage === undefined ? {} : { stage: caller.stage }),
            ...(caller.iteration === undefined ? {} : { iteration: caller.iteration }),
          });
          const finish = (outcome: Omit<OperationEnd, 'durationMs'>) => end({ ...outcome, durationMs: performance.now() - startTime });
          let result: unknown;
          try {
            result = (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (error) {
            finish({ success: false, error: toError(error), errorType: errorTypeOf(error) });
            throw error;
          }
          if (result instanceof Promise) {
            return result.then(
              (resolved) => {
                const attributes = attributesOf(resolved);
                finish({ success: true, ...(attributes ? { attributes } : {}) });
                return resolved;
              },
              (error: unknown) => {
                finish({ success: false, error: toError(error), errorType: errorTypeOf(error) });
                throw error;
              },
            );
          }
          if (typeof result === 'object' && result !== null && Symbol.asyncIterator in result) {
            return observeStream(result as AsyncIterable<unknown>, finish);
          }
          finish({ success: true });
          return result;
        };
      } else if (typeof value === 'object' && value !== null && NESTED_CAPABILITIES.has(property)) {
        wrapped = instrumentResource(name, value, hub, caller, `${path}${property}.`);
      }
      // Only wrappers are kept: plain values (getters such as a circuit's state) are read fresh every time.
      if (wrapped !== value) wrappers.set(property, wrapped);
      return wrapped;
    },
  });
}
