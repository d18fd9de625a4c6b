import { type ChatMessage, type JsonValue, type Plugin, PluginError, redactSecrets } from '@entity/core';
import { clip, jsonOf, textOf } from './json-text.js';
import { type Plan, type PlanStep, parsePlan } from './plan.js';
import { describeError, type PatternRun, ReasoningPattern, throwIfCancelled, toolMessages } from './reasoning-pattern.js';
import { commonSettings, type PlanAndExecuteOptions, type PlanAndExecuteSettings, planAndExecuteConfigSchema } from './settings.js';

/** Where a step is. `skipped`: not started because another step failed first (a replan may redo it). */
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

/** A step with its status, as `info.annotations['reasoning.plan'].steps` lists it (there, long results are cut). */
export interface StepState {
  step: PlanStep;
  /** Which plan it belongs to: 1 for the first, 2 after the first replan, … */
  plan: number;
  status: StepStatus;
  result?: string;
  error?: string;
}

/** What `executeStep` returns: the step's result as text, or why it failed. */
export type StepOutcome = { ok: true; result: string } | { ok: false; error: string };

/** The failure that stopped a plan, handed to `shouldReplan` and to the replanning model call. */
export interface StepFailure {
  step: PlanStep;
  error: string;
}

/** A run's progress through its plans, for the methods below. */
export interface PlanProgress {
  /** Every step of every plan so far, in the order planned. */
  readonly steps: readonly StepState[];
  /** Replans made so far. */
  readonly replans: number;
}

/** What `buildPlan` is asked for: the first plan, or a new one after `failure`. */
export interface PlanRequest {
  progress: PlanProgress;
  failure?: StepFailure;
}

export const PLAN_INSTRUCTION =
  'Before answering, make a plan. Split the work into a few steps; a step may depend on the results of earlier steps ' +
  '(list their ids in "dependsOn"); steps that do not depend on each other run at the same time. ' +
  'A step either describes a task for you to do later with the tools ("task"), or runs one tool directly ' +
  '("tool" and its "arguments"). Reply with the plan as JSON only, in this form: ' +
  '{"steps":[{"id":"s1","task":"…","dependsOn":[]},{"id":"s2","task":"…","tool":"name","arguments":{},"dependsOn":["s1"]}]}';

export const STEP_INSTRUCTION =
  'You are carrying out one step of a plan. Use the tools when they help, then reply with the result of this step only.';

export const SYNTHESIS_INSTRUCTION =
  'You made a plan for the user\'s last message and carried it out. Answer the user from the results of its steps below; ' +
  'do not mention the plan itself.';

const RETRY_PLAN = (problem: string) => `That plan is not valid: ${problem}. Reply with the corrected plan as JSON only.`;

/**
 * Plan and execute: the model writes a plan of steps with dependencies (JSON, validated; an
 * invalid plan gets one retry with the problem, then the run fails with `REASONING_PLAN_INVALID`).
 * Steps whose dependencies are done run in parallel, at most `concurrency` at once; each is done
 * by the model with the tools, or by its tool directly. When a step fails, the steps not yet
 * started are skipped, running ones finish, and the model makes a new plan for the rest (at most
 * `maxReplans` times; then the run fails with `REASONING_PLAN_FAILED`). Finally the model answers
 * from the steps' results. The plan and each step's status are in
 * `info.annotations['reasoning.plan']` and in `reasoning.plan` / `reasoning.step` /
 * `reasoning.replan` events.
 *
 * Methods to override: `buildPlan`, `executeStep`, `shouldReplan`, `synthesize`.
 */
export class PlanAndExecute extends ReasoningPattern<PlanAndExecuteOptions, PlanAndExecuteSettings> {
  readonly name: string = 'reasoning:plan-and-execute';
  readonly description: string = 'Plans steps with dependencies, runs independent ones in parallel, replans on failure, then answers';

  constructor(options: PlanAndExecuteOptions = {}) {
    super(planAndExecuteConfigSchema, options);
  }

  protected settingsFrom(options: PlanAndExecuteOptions): PlanAndExecuteSettings {
    return {
      ...commonSettings(options),
      maxPlanSteps: options.maxPlanSteps ?? 8,
      concurrency: options.concurrency ?? 3,
      maxReplans: options.maxReplans ?? 1,
      stepMaxTurns: options.stepMaxTurns ?? 4,
    };
  }

  protected async run(run: PatternRun<PlanAndExecuteSettings>): Promise<void> {
    const steps: StepState[] = [];
    let replans = 0;
    const progress: PlanProgress = {
      steps,
      get replans() {
        return replans;
      },
    };
    const record = (status: string) => run.context.annotate('reasoning.plan', { status, replans, steps: steps.map(stateRecord) });
    record('planning');
    let failure: StepFailure | undefined;
    for (;;) {
      const plan = await this.buildPlan(run, failure ? { progress, failure } : { progress });
      const planNumber = replans + 1;
      const added = plan.steps.map((step): StepState => ({ step, plan: planNumber, status: 'pending' }));
      steps.push(...added);
      record('running');
      await this.report(run, 'plan', { plan: planNumber, steps: added.map(stateRecord) });
      failure = await this.executePlan(run, added, steps, record);
      if (!failure) break;
      if (replans >= run.settings.maxReplans || !(await this.shouldReplan(run, failure, progress))) {
        record('failed');
        throw new PluginError(this.name, `Step "${failure.step.id}" of the plan failed (${failure.error}) and no replan is left`, {
          code: 'REASONING_PLAN_FAILED',
          safeMessage: 'Sorry, I could not complete the steps needed to answer this. Please try again later.',
        });
      }
      replans++;
      record('replanning');
      await this.report(run, 'replan', { replan: replans, failedStep: failure.step.id, error: clip(failure.error) });
    }
    record('synthesizing');
    const answer = await this.synthesize(run, progress);
    record('done');
    run.context.answer(answer);
  }

  /**
   * Asks the model for a plan (the conversation, with the planning instruction and, after a
   * failure, what was done and what failed). An invalid plan is sent back once with its problem.
   */
  protected async buildPlan(run: PatternRun<PlanAndExecuteSettings>, request: PlanRequest): Promise<Plan> {
    const { context, settings } = run;
    const tools = context.discoverTools();
    const completed = request.progress.steps.filter((state) => state.status === 'done');
    const rules = { maxSteps: settings.maxPlanSteps, toolNames: new Set(tools.map((tool) => tool.name)), completedIds: new Set(completed.map((state) => state.step.id)) };
    const instruction = [
      settings.instruction ?? PLAN_INSTRUCTION,
      `Use at most ${settings.maxPlanSteps} steps.`,
      tools.length > 0 ? `Tools:\n${tools.map((tool) => `- ${tool.name}: ${tool.description}`).join('\n')}` : 'There are no tools: every step is a task for you.',
      request.failure ? replanNote(request.failure, completed) : '',
    ].filter(Boolean).join('\n\n');
    const messages: ChatMessage[] = [...context.conversation()];
    const first = await this.callModel(run, { messages, instruction });
    const parsed = parsePlan(first.content, rules);
    if (parsed.ok) return parsed.plan;
    context.annotate('reasoning.plan.invalid', [clip(parsed.problem)]);
    await this.report(run, 'plan-invalid', { problem: clip(parsed.problem), retrying: true });
    const second = await this.callModel(run, {
      messages: [...messages, { role: 'assistant', content: first.content }, { role: 'user', content: RETRY_PLAN(parsed.problem) }],
      instruction,
    });
    const retried = parsePlan(second.content, rules);
    if (retried.ok) return retried.plan;
    context.annotate('reasoning.plan.invalid', [clip(parsed.problem), clip(retried.problem)]);
    await this.report(run, 'plan-invalid', { problem: clip(retried.problem), retrying: false });
    throw new PluginError(this.name, `The model's plan is still invalid after one retry: ${retried.problem}`, {
      code: 'REASONING_PLAN_INVALID',
      safeMessage: 'Sorry, I could not make a workable plan for this request. Please rephrase it or try again.',
    });
  }

  /**
   * Does one step. A step with a `tool` runs that tool with its `arguments`; any other is given to
   * the model with the tools, the user's request and the results of the steps it depends on, for at
   * most `stepMaxTurns` turns. Failing tools inside a model step are observations, not failures.
   */
  protected async executeStep(run: PatternRun<PlanAndExecuteSettings>, step: PlanStep, inputs: readonly StepState[]): Promise<StepOutcome> {
    const { context, settings } = run;
    if (step.tool !== undefined) {
      const result = await context.tool(step.tool, step.arguments ?? {});
      return result.ok ? { ok: true, result: textOf(result.value) } : { ok: false, error: result.error.message };
    }
    const inputText = inputs.map((input) => `- ${input.step.id} (${input.step.task}): ${input.result ?? ''}`).join('\n');
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: [`The user asked: ${context.message}`, `Your step (${step.id}): ${step.task}`, inputs.length > 0 ? `Results of the steps it builds on:\n${inputText}` : '']
          .filter(Boolean)
          .join('\n\n'),
      },
    ];
    for (let turn = 1; turn <= settings.stepMaxTurns; turn++) {
      const reply = await this.callModel(run, { messages, instruction: STEP_INSTRUCTION, useTools: true });
      if (reply.toolCalls.length === 0) {
        return reply.content.trim() === '' ? { ok: false, error: 'the model gave no result for this step' } : { ok: true, result: reply.content };
      }
      messages.push({ role: 'assistant', content: reply.content, toolCalls: reply.toolCalls });
      messages.push(...toolMessages(await this.runToolCalls(run, reply.toolCalls)));
    }
    return { ok: false, error: `the step did not finish within ${settings.stepMaxTurns} model turns` };
  }

  /** Whether to make a new plan after `failure` (only asked while replans are left). Default: always. */
  protected shouldReplan(_run: PatternRun<PlanAndExecuteSettings>, _failure: StepFailure, _progress: PlanProgress): boolean | Promise<boolean> {
    return true;
  }

  /** The final answer: the model, without tools, given the results of every completed step. */
  protected async synthesize(run: PatternRun<PlanAndExecuteSettings>, progress: PlanProgress): Promise<string> {
    const results = progress.steps
      .filter((state) => state.status === 'done')
      .map((state) => `- ${state.step.id} (${state.step.task}): ${state.result ?? ''}`)
      .join('\n');
    const reply = await this.callModel(run, { messages: run.context.conversation(), instruction: `${SYNTHESIS_INSTRUCTION}\n\nResults:\n${results}` });
    if (reply.content.trim() === '') {
      throw new PluginError(this.name, 'The model gave an empty final answer after carrying out the plan', {
        code: 'REASONING_NO_ANSWER',
        safeMessage: 'Sorry, I could not come to an answer. Please try again.',
      });
    }
    return reply.content;
  }

  /**
   * Runs one plan's steps as their dependencies finish, at most `concurrency` at once. After the
   * first failure nothing new starts; running steps finish, the rest are `skipped`.
   */
  private async executePlan(
    run: PatternRun<PlanAndExecuteSettings>,
    planSteps: StepState[],
    allSteps: readonly StepState[],
    record: (status: string) => void,
  ): Promise<StepFailure | undefined> {
    const { context, settings } = run;
    const doneIds = () => new Set(allSteps.filter((state) => state.status === 'done').map((state) => state.step.id));
    const running = new Set<Promise<void>>();
    let failure: StepFailure | undefined;
    let fatal: { error: unknown } | undefined;
    const start = (state: StepState) => {
      state.status = 'running';
      const inputs = allSteps.filter((other) => other.status === 'done' && state.step.dependsOn.includes(other.step.id));
      const task = (async () => {
        record('running');
        await this.report(run, 'step', stateRecord(state));
        let outcome: StepOutcome;
        try {
          outcome = await this.executeStep(run, state.step, inputs);
        } catch (error) {
          if (context.signal.aborted) throw error;
          // The model, events and annotations get a safe description; the log gets the detail.
          context.log.warn(`Step "${state.step.id}" of the plan threw: ${redactSecrets(error instanceof Error ? error.message : String(error))}`, { step: state.step.id });
          outcome = { ok: false, error: describeError(error) };
        }
        if (outcome.ok) {
          state.status = 'done';
          state.result = outcome.result;
        } else {
          state.status = 'failed';
          state.error = outcome.error;
          failure ??= { step: state.step, error: outcome.error };
        }
        record('running');
        await this.report(run, 'step', stateRecord(state));
      })()
        .catch((error: unknown) => {
          fatal ??= { error };
        })
        .finally(() => running.delete(task));
      running.add(task);
    };
    for (;;) {
      if (fatal) throw fatal.error;
      throwIfCancelled(context);
      if (!failure) {
        const done = doneIds();
        for (const state of planSteps) {
          if (running.size >= settings.concurrency) break;
          if (state.status === 'pending' && state.step.dependsOn.every((id) => done.has(id))) start(state);
        }
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
    if (fatal) throw (fatal as { error: unknown }).error;
    const stuck = planSteps.find((state) => state.status === 'pending');
    if (!failure && stuck) {
      // Only a plan that skipped parsePlan (an overridden buildPlan) can get here: a cycle or a missing step.
      throw new PluginError(this.name, `Step "${stuck.step.id}" can never start: its dependencies (${stuck.step.dependsOn.join(', ')}) never finish`, {
        code: 'REASONING_PLAN_INVALID',
        safeMessage: 'Sorry, I could not make a workable plan for this request. Please rephrase it or try again.',
      });
    }
    for (const state of planSteps) if (state.status === 'pending') state.status = 'skipped';
    if (failure) record('running');
    return failure;
  }
}

function stateRecord(state: StepState): JsonValue {
  const { step } = state;
  return {
    id: step.id,
    task: step.task,
    dependsOn: [...step.dependsOn],
    ...(step.tool === undefined ? {} : { tool: step.tool, arguments: jsonOf(step.arguments ?? {}) }),
    plan: state.plan,
    status: state.status,
    ...(state.result === undefined ? {} : { result: clip(state.result) }),
    ...(state.error === undefined ? {} : { error: clip(state.error) }),
  };
}

function replanNote(failure: StepFailure, completed: readonly StepState[]): string {
  const done = completed.map((state) => `- ${state.step.id} (${state.step.task}): ${state.result ?? ''}`).join('\n');
  return [
    `Your previous plan stopped: step "${failure.step.id}" (${failure.step.task}) failed: ${clip(failure.error, 1_000)}`,
    completed.length > 0 ? `Steps already done (new steps may depend on their ids, but must not reuse them):\n${done}` : 'No step is done yet.',
    'Make a new plan for the rest of the work that avoids the failure.',
  ].join('\n\n');
}

/** Plan and execute as a plugin: `agent.use(planAndExecutePlugin({ concurrency: 3 }))`; in YAML `export: planAndExecutePlugin`. */
export function planAndExecutePlugin(options: PlanAndExecuteOptions = {}): Plugin<PlanAndExecuteOptions> {
  return new PlanAndExecute(options).plugin();
}
