import type { ZodType } from 'zod';
import type { ChatMessage } from '../contracts/message.js';
import type { Resource } from '../contracts/resource.js';
import type { Tool } from '../contracts/tool.js';
import type { PluginInput } from './plugin-registry.js';
import type { EngineSettings } from './runtime.js';
import type { Workflow } from './workflow.js';

export interface AgentOptions extends Partial<EngineSettings> {
  /** Shown in logs and graphs. Default: `agent`. */
  name?: string;
  /**
   * Resources by name (`llm`, `memory`, `storage`, `logging`, `metrics`, or any other name).
   * Any object will do (a client, a cache); the `Resource` hooks (`start`, `stop`,
   * `dependencies`, `healthCheck`, ...) are used when it has them.
   */
  resources?: Record<string, Resource | object>;
  plugins?: PluginInput[];
  tools?: Tool<any, unknown>[];
  /** A reusable stage → plugin mapping; plugins it names must be registered (built-ins are). */
  workflow?: Workflow;
  /** Add the built-in chat workflow (load history, ask the model, run tools, respond). Default: true. */
  defaultWorkflow?: boolean;
  /** Fill in missing `llm`, `memory` and `storage` from installed `@entity/*` packages. Default: true. */
  zeroConfig?: boolean;
  /** Where optional packages (zero-config defaults, adapters) are looked up. Default: the working directory, then the running program's folder. */
  projectDir?: string;
  /**
   * Folder the zero-config memory and storage keep their files in (`.entity/memory`,
   * `agent_files`). `Agent.fromConfig` sets the config file's folder, so a config run from
   * elsewhere uses the same files. Default: the working directory.
   */
  configDir?: string;
}

export interface ChatOptions {
  /** Whose message this is; memory and remembered values are private to this id. Default: `default`. */
  userId?: string;
  /** Which conversation of the user. Default: `default`. */
  conversationId?: string;
  /** Cancels the run; `chat` then rejects with CancelledError. */
  signal?: AbortSignal;
  /** Budget of this run in ms. Default: the agent's `runTimeoutMs`. */
  timeoutMs?: number;
  /** Id of the incoming request (e.g. an `x-request-id` header), attached to every log entry and operation of the run. */
  correlationId?: string;
  /**
   * Instrumentation id of the operation this run is part of — the tool call of another agent that
   * started it (`ToolContext.operationId`; `agentTool` passes it): the run's operation names it as
   * its parent, so a tracer draws both agents' work as one tree.
   */
  parentOperationId?: number;
  /**
   * The conversation before this message, given by the caller instead of loaded from memory (a
   * hand-off passes the sending agent's conversation). The caller then owns the conversation: the
   * built-in workflow neither loads history from this agent's memory nor saves the turn into it.
   * Values remembered with `ctx.remember` are still saved (per user, in this agent's memory).
   */
  history?: readonly ChatMessage[];
  /**
   * Reject with `RunFailedError` (its `result` is the failed result, its `cause` the error) when
   * the run goes through the ERROR stage, instead of resolving with `status: 'failed'`.
   * Default: false — a failed turn still has a reply for the user (the apology), and servers and
   * chat loops want to show it; scripts that need the answer or nothing pass true.
   */
  throwOnFailure?: boolean;
  /**
   * Ask for the answer in this zod schema: the result's `output` is the validated, typed object
   * (`response` its JSON form). The model answers through the LLM resource's structured output
   * (`generateObject`, which retries once with the validation problem); with tools, the tool loop
   * runs first and the final answer is then asked in the schema. An answer that still does not
   * match fails the run (`status: 'failed'`, `info.failure.code` `LLM_OUTPUT_INVALID` from the
   * provider, or `OUTPUT_INVALID` when a plugin answered). No `token` events stream for such a run.
   */
  output?: ZodType;
  /** Name of the `output` schema, shown to providers that need one. Default: `response`. */
  outputName?: string;
}

export interface StreamOptions extends Omit<ChatOptions, 'throwOnFailure'> {
  /**
   * Events held for a consumer that reads slower than the run produces. When that many wait, the
   * run pauses (model tokens, stage and tool events) until the consumer reads again, so memory stays
   * bounded behind a slow client. Default: 64.
   */
  maxBufferedEvents?: number;
}

/** Parameters a hot reload may change. */
export interface ReloadParameters {
  settings?: Partial<EngineSettings>;
  /** New config per plugin name, validated by the plugin's schema. */
  pluginConfigs?: Record<string, unknown>;
}
