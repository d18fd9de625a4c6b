import type { AgentEvent } from '../contracts/events.js';
import type { Logger } from '../contracts/logger.js';
import type { InstrumentationHub } from './instrumentation-hub.js';
import type { PluginRegistry } from './plugin-registry.js';
import type { ResourceContainer } from './resource-container.js';

/** Settings of the engine that may change on hot reload. */
export interface EngineSettings {
  /** Stage loops before giving up. Default: 5. */
  maxIterations: number;
  /** Budget of a whole run in ms. Default: 120 000. */
  runTimeoutMs: number;
  /** Budget of one tool call in ms, unless the tool sets its own. Default: 30 000. */
  toolTimeoutMs: number;
  /** Queued tool calls run at once at a stage boundary. Default: 8. */
  toolConcurrency: number;
  /** Messages of history the default workflow loads. Default: 50. */
  historyLimit: number;
  /** System prompt of the default workflow's model calls. */
  instructions: string | undefined;
  /**
   * How long `stop()` waits for runs in progress, after cancelling them, before it stops the
   * resources anyway, in ms. Runs see `ctx.signal` abort at once; the wait covers plugins and tools
   * finishing what they were doing (a write in flight). Default: 10 000.
   */
  stopTimeoutMs: number;
  /**
   * Budget of the ERROR stage in ms. It has its own deadline, separate from `runTimeoutMs`, so
   * failure plugins still run after the run timed out — and a stuck one cannot hold the reply for
   * long (the user then gets the last-resort reply). Default: 5 000.
   */
  errorTimeoutMs: number;
}

export const DEFAULT_SETTINGS: EngineSettings = {
  maxIterations: 5,
  runTimeoutMs: 120_000,
  toolTimeoutMs: 30_000,
  toolConcurrency: 8,
  historyLimit: 50,
  instructions: undefined,
  stopTimeoutMs: 10_000,
  errorTimeoutMs: 5_000,
};

/** What a run needs from its agent. */
export interface EngineRuntime {
  readonly registry: PluginRegistry;
  readonly container: ResourceContainer;
  readonly hub: InstrumentationHub;
  readonly logger: Logger;
  readonly settings: EngineSettings;
}

/**
 * Receives a run's events when the caller streams. Returns a promise while the consumer's buffer is
 * full (back-pressure): producers await it so a slow consumer slows the run instead of the buffer growing.
 */
export type EventSink = (event: AgentEvent) => Promise<void> | undefined;
