import {
  CancelledError,
  type ChatMessage,
  type ChatResponse,
  type Context,
  EntityError,
  type JsonValue,
  type LLM,
  type Plugin,
  type ToolCall,
  type ToolChoice,
  type ToolMessage,
  ToolError,
  ValidationError,
  systemPrompt,
} from '@entity/core';
import { type ZodObject, z } from 'zod';
import { clip, jsonOf, textOf } from './json-text.js';
import type { PatternSettings } from './settings.js';

/** What a pattern's methods receive for one run: the plugin context and the settings in force. */
export interface PatternRun<TSettings> {
  readonly context: Context;
  readonly settings: TSettings;
}

/** One model call of a pattern. */
export interface ModelCall {
  /** The messages after the system prompt (the conversation, then the pattern's own). */
  messages: readonly ChatMessage[];
  /** Added to the system prompt of this call only, after the instructions and the run's context sections. */
  instruction?: string;
  /** Offer the registered tools. Default: false. */
  useTools?: boolean;
  /** With `useTools`: `none` describes the tools (providers reject tool history without them) but forbids calling them. */
  toolChoice?: ToolChoice;
}

/**
 * Run-state key where core marks the iteration in which the turn got its answer (`ctx.answer()` or
 * the model); core has no public flag for it yet. A test registers an answering plugin before a
 * pattern, so a rename in core fails here instead of crashing runs with a StageError.
 */
const CORE_ANSWERED_ITERATION = 'entity:answered-iteration';

/** Run-state key naming the pattern that handles this turn, so a second registered pattern steps aside. */
const SETTLED_BY = 'reasoning:settled-by';

/** Tool calls of one model turn that run at the same time (core's default `toolConcurrency`). */
export const TOOL_CALLS_AT_ONCE = 8;

/** What one tool call returned, as the model will read it. */
export interface Observation {
  toolCallId: string;
  tool: string;
  arguments: unknown;
  ok: boolean;
  /** The value as text, or `Error: …` for a failure (already safe for the model: core redacts it). */
  content: string;
}

/**
 * What every pattern shares: settings from code and YAML, the plugin it runs as, its own model
 * calls and tool calls. A pattern runs in THINK, once per run, and settles the turn with
 * `ctx.answer()`: the built-in model call is skipped and the default DELIVER plugin responds and
 * saves the user's message and the final answer only (the pattern's intermediate turns are in
 * `info.annotations` and events, not in history).
 */
export abstract class ReasoningPattern<TOptions extends object, TSettings extends PatternSettings> {
  /** The plugin's name (`reasoning:react`, …). */
  abstract readonly name: string;
  abstract readonly description: string;
  /** Options given in code, validated. */
  protected readonly options: TOptions;

  constructor(
    private readonly schema: ZodObject,
    options: TOptions,
  ) {
    const parsed = schema.safeParse(options ?? {});
    if (!parsed.success) {
      throw new ValidationError(`${new.target.name} options are invalid: ${z.prettifyError(parsed.error)}. Fix or remove these options.`);
    }
    this.options = parsed.data as TOptions;
  }

  /**
   * This pattern as a plugin for `agent.use()`. A YAML entry's `config` (checked against the same
   * strict schema) wins over options given in code.
   */
  plugin(): Plugin<TOptions> {
    const llm = (this.options as { llm?: string }).llm ?? 'llm';
    return {
      name: this.name,
      kind: 'prompt',
      description: this.description,
      dependencies: [llm],
      configSchema: this.schema as unknown as Plugin<TOptions>['configSchema'],
      execute: (context, config) => this.execute(context, { ...this.options, ...(config ?? {}) }),
    };
  }

  private async execute(context: Context, options: TOptions): Promise<void> {
    // Once per run: when no DELIVER plugin responds, the loop comes back to THINK, and a second
    // pass would pay for the whole pattern again.
    const ranKey = `${this.name}:ran`;
    if (context.has(ranKey)) return;
    context.store(ranKey, true);
    const settledBy = context.load<string>(SETTLED_BY);
    if (settledBy !== undefined) {
      context.log.warn(`${this.name} did not run: ${settledBy} already answered this turn. Register one reasoning pattern per agent.`);
      return;
    }
    if (context.load(CORE_ANSWERED_ITERATION) === context.iteration) {
      // A plugin before this one settled the turn (a cached answer, a command): nothing to reason about.
      context.log.debug(`${this.name} did not run: the turn was already answered`);
      return;
    }
    context.store(SETTLED_BY, this.name);
    await this.run({ context, settings: this.settingsFrom(options) });
  }

  /** Settings from the merged options, defaults filled in. */
  protected abstract settingsFrom(options: TOptions): TSettings;

  /** The pattern itself: ends with `context.answer(finalAnswer)`. */
  protected abstract run(run: PatternRun<TSettings>): Promise<void>;

  /**
   * Asks the pattern's LLM resource. The system prompt is the agent's instructions, what plugins
   * added with `ctx.addContext()`, then `call.instruction`. Usage is added to the run's totals.
   */
  protected async callModel(run: PatternRun<TSettings>, call: ModelCall): Promise<ChatResponse> {
    const { context, settings } = run;
    throwIfCancelled(context);
    const system = [systemPrompt(context.instructions, context.advanced.contextSections), call.instruction].filter(Boolean).join('\n\n');
    const tools = call.useTools ? context.discoverTools().map(({ name, description, parameters }) => ({ name, description, parameters })) : [];
    const response = await context.resource<LLM>(settings.llm).chat({
      messages: [...(system ? [{ role: 'system' as const, content: system }] : []), ...call.messages],
      signal: context.signal,
      ...(tools.length > 0 ? { tools, ...(call.toolChoice === undefined ? {} : { toolChoice: call.toolChoice }) } : {}),
      ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
    });
    context.advanced.addUsage(response.usage);
    return response;
  }

  /**
   * Runs the tool calls a model asked for, in parallel (at most {@link TOOL_CALLS_AT_ONCE} at once), through `ctx.tool()` (so they are checked,
   * timed out, recorded in `info.toolCalls` and streamed like any tool call). A failing tool is an
   * observation the model reads, not an error; only cancellation throws.
   */
  protected async runToolCalls(run: PatternRun<TSettings>, calls: readonly ToolCall[]): Promise<Observation[]> {
    const observations = new Array<Observation>(calls.length);
    let next = 0;
    // A model may ask for dozens of calls in one turn: at most TOOL_CALLS_AT_ONCE run at a time.
    const worker = async () => {
      while (next < calls.length) {
        const index = next++;
        const call = calls[index]!;
        const result = await run.context.tool(call.name, call.arguments);
        observations[index] = {
          toolCallId: call.id,
          tool: call.name,
          arguments: call.arguments,
          ok: result.ok,
          content: result.ok ? textOf(result.value) : `Error: ${result.error.message}`,
        };
      }
    };
    await Promise.all(Array.from({ length: Math.min(TOOL_CALLS_AT_ONCE, calls.length) }, worker));
    return observations;
  }

  /** Sends a custom stream event named `reasoning.<event>` (awaited: a slow consumer slows the pattern down). */
  protected async report(run: PatternRun<TSettings>, event: string, data: JsonValue): Promise<void> {
    await run.context.advanced.emit(`reasoning.${event}`, data);
  }
}

/** The tool messages that answer an assistant turn's calls, in the order of the calls. */
export function toolMessages(observations: readonly Observation[]): ToolMessage[] {
  return observations.map((observation) => ({
    role: 'tool',
    toolCallId: observation.toolCallId,
    name: observation.tool,
    content: observation.content,
    ...(observation.ok ? {} : { isError: true }),
  }));
}

/** An observation as it goes into annotations and events. */
export function recordOf(observation: Observation): JsonValue {
  return { tool: observation.tool, arguments: jsonOf(observation.arguments), ok: observation.ok, observation: clip(observation.content) };
}

export function throwIfCancelled(context: Context): void {
  if (context.signal.aborted) {
    const reason: unknown = context.signal.reason;
    throw EntityError.isInstance(reason) ? reason : new CancelledError('The run was cancelled');
  }
}

/**
 * Text about an error that is safe to put in front of the model, into annotations and events:
 * messages written for that purpose (ToolError, ValidationError) as they are; other errors only by
 * kind and code, since their text may quote a provider's response or a host name.
 */
export function describeError(error: unknown): string {
  if (ToolError.isInstance(error) || ValidationError.isInstance(error)) return error.message;
  if (EntityError.isInstance(error)) return `${error.name} (${error.code})`;
  return error instanceof Error ? error.name : typeof error;
}
