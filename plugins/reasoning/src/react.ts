import { type ChatMessage, type ChatResponse, type JsonValue, type Plugin, PluginError, type ToolCall } from '@entity/core';
import { clip } from './json-text.js';
import { type Observation, type PatternRun, ReasoningPattern, recordOf, toolMessages } from './reasoning-pattern.js';
import { commonSettings, DEFAULT_REACT_MAX_STEPS, type ReActOptions, type ReActSettings, reActConfigSchema } from './settings.js';

/** What the model is told on every step unless `instruction` replaces it. */
export const REACT_INSTRUCTION =
  'Work in steps. In each step, say briefly what you are thinking, then call the tools you need; ' +
  'you will see their results before the next step. When you know enough, answer the user without calling a tool.';

/** One step of a ReAct run, as `info.annotations['reasoning.react'].steps` and `reasoning.react.step` events show it. */
export interface ReActStep {
  step: number;
  /** What the model said along with its tool calls. */
  thought: string;
  actions: JsonValue[];
}

/**
 * ReAct: reason → act through native tool calls → observe, until the model answers without a
 * tool call or `maxSteps` model turns have called tools. Then the model is asked once more,
 * without tools, to answer from what it found — a clear answer rather than an error.
 *
 * Methods to override: `think` (one model turn), `act` (runs the turn's tool calls),
 * `answerOutOfSteps` (the answer once the budget is spent).
 */
export class ReAct extends ReasoningPattern<ReActOptions, ReActSettings> {
  readonly name: string = 'reasoning:react';
  readonly description: string = 'Reason, act through tool calls, observe — with a step budget';

  constructor(options: ReActOptions = {}) {
    super(reActConfigSchema, options);
  }

  protected settingsFrom(options: ReActOptions): ReActSettings {
    return { ...commonSettings(options), maxSteps: options.maxSteps ?? DEFAULT_REACT_MAX_STEPS };
  }

  protected async run(run: PatternRun<ReActSettings>): Promise<void> {
    const { context, settings } = run;
    const transcript: ChatMessage[] = [];
    const steps: ReActStep[] = [];
    const record = (status: string) =>
      context.annotate('reasoning.react', { status, maxSteps: settings.maxSteps, steps: steps.map((step) => ({ ...step })) });
    for (let step = 1; step <= settings.maxSteps; step++) {
      const reply = await this.think(run, transcript);
      if (reply.toolCalls.length === 0) {
        record('answered');
        if (reply.content.trim() === '') {
          throw new PluginError(this.name, 'The model answered with empty text', {
            code: 'REASONING_NO_ANSWER',
            safeMessage: 'Sorry, I could not come to an answer. Please try again.',
          });
        }
        context.answer(reply.content);
        return;
      }
      transcript.push({ role: 'assistant', content: reply.content, toolCalls: reply.toolCalls });
      const observations = await this.act(run, reply.toolCalls);
      transcript.push(...toolMessages(observations));
      const entry: ReActStep = { step, thought: clip(reply.content), actions: observations.map(recordOf) };
      steps.push(entry);
      record('acting');
      await this.report(run, 'react.step', { ...entry });
    }
    record('budget-exhausted');
    await this.report(run, 'react.budget-exhausted', { maxSteps: settings.maxSteps });
    context.answer(await this.answerOutOfSteps(run, transcript));
  }

  /** One model turn with the tools offered: the conversation, then this run's steps so far. */
  protected think(run: PatternRun<ReActSettings>, transcript: readonly ChatMessage[]): Promise<ChatResponse> {
    return this.callModel(run, {
      messages: [...run.context.conversation(), ...transcript],
      instruction: run.settings.instruction ?? REACT_INSTRUCTION,
      useTools: true,
    });
  }

  /** Runs one turn's tool calls in parallel; failures are observations for the model. */
  protected act(run: PatternRun<ReActSettings>, calls: readonly ToolCall[]): Promise<Observation[]> {
    return this.runToolCalls(run, calls);
  }

  /**
   * The answer once `maxSteps` turns have called tools: the model is asked, without tools, to
   * answer from its observations and to say what is still unknown. When it says nothing, a fixed
   * text says the budget ran out.
   */
  protected async answerOutOfSteps(run: PatternRun<ReActSettings>, transcript: readonly ChatMessage[]): Promise<string> {
    const { maxSteps } = run.settings;
    const reply = await this.callModel(run, {
      messages: [...run.context.conversation(), ...transcript],
      instruction:
        `You have used all ${maxSteps} steps you were given and cannot call tools any more. ` +
        'Answer the user now from what you found, and say plainly what you could not find out.',
      useTools: true,
      toolChoice: 'none',
    });
    const text = reply.content.trim();
    return text !== '' ? text : `I could not finish within the ${maxSteps} steps I was given, so I have no complete answer.`;
  }
}

/** ReAct as a plugin: `agent.use(reActPlugin({ maxSteps: 6 }))`; in YAML `export: reActPlugin`. */
export function reActPlugin(options: ReActOptions = {}): Plugin<ReActOptions> {
  return new ReAct(options).plugin();
}
