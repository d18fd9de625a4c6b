import type { ChatResult, FailureInfo, RunInfo } from '../contracts/events.js';
import { PIPELINE_STAGES, type Stage } from '../contracts/stage.js';
import {
  CancelledError,
  DEFAULT_SAFE_MESSAGE,
  EntityError,
  MaxIterationsError,
  TimeoutError,
  UNEXPECTED_ERROR_CODE,
} from '../errors/index.js';
import { errorTypeOf, type OperationHandle, toError } from './instrumentation-hub.js';
import type { RegisteredPlugin } from './plugin-registry.js';
import type { Run } from './run.js';
import type { RunContext } from './run-context.js';
import type { EngineRuntime } from './runtime.js';
import { abortReason, linkAbort, untilAborted } from './linked-abort.js';
import { flushToolQueue } from './tool-runner.js';
import { redactSecrets } from '../redaction/secret-redactor.js';
import { STATE } from './ask-model.js';
import { checkAnswer, outputMismatch, type StructuredAnswer } from './structured-output.js';

/** A plugin failure on its way to the ERROR stage. */
class StageFailure extends Error {
  constructor(
    readonly stage: Stage,
    readonly plugin: string,
    readonly original: unknown,
  ) {
    super(toError(original).message);
  }
}

const ENGINE = 'entity:engine';
const noOperation: OperationHandle = () => {};

async function runPlugin(run: Run, context: RunContext, runtime: EngineRuntime, registered: RegisteredPlugin): Promise<void> {
  const { plugin } = registered;
  if (!plugin.execute) return;
  const startTime = performance.now();
  const spanId = runtime.hub.newId();
  run.currentSpanId = spanId;
  run.currentPlugin = plugin.name;
  // Nobody observing (the common case): no operation record is built at all.
  const end = !runtime.hub.active ? noOperation : runtime.hub.start({
    kind: 'plugin',
    id: spanId,
    parentId: run.stageSpanId,
    name: plugin.name,
    runId: run.runId,
    userId: run.userId,
    conversationId: run.conversationId,
    stage: run.stage,
    iteration: run.iteration,
  });
  let success = false;
  let failure: unknown;
  // A streaming run gives each plugin call its own context, closed when the pipeline moves on: a
  // plugin that ignores ctx.signal and keeps emitting after that is refused. chat() has no events
  // to refuse and shares one context.
  const callContext = run.emit ? context.forPluginCall() : context;
  try {
    const result = plugin.execute(callContext, registered.config as never);
    if (result instanceof Promise) await untilAborted(run.track(result), run.signal);
    success = true;
  } catch (error) {
    failure = error;
    throw new StageFailure(run.stage, plugin.name, error);
  } finally {
    if (callContext !== context) callContext.endPluginCall();
    const durationMs = performance.now() - startTime;
    run.currentSpanId = run.stageSpanId;
    run.currentPlugin = undefined;
    run.pluginTimings.push({ plugin: plugin.name, stage: run.stage, iteration: run.iteration, durationMs, success });
    if (end !== noOperation) end(success ? { durationMs, success } : { durationMs, success, error: toError(failure), errorType: errorTypeOf(failure) });
  }
}

async function runStage(run: Run, context: RunContext, runtime: EngineRuntime, stage: Stage): Promise<void> {
  const plugins = runtime.registry.forStage(stage);
  if (plugins.length === 0 && run.queue.length === 0) return;
  run.stage = stage;
  await run.emit?.({ type: 'stage', stage, iteration: run.iteration });
  const startTime = performance.now();
  run.stageSpanId = runtime.hub.newId();
  run.currentSpanId = run.stageSpanId;
  const end = !runtime.hub.active ? noOperation : runtime.hub.start({
    kind: 'stage',
    id: run.stageSpanId,
    parentId: run.spanId,
    name: stage,
    runId: run.runId,
    userId: run.userId,
    conversationId: run.conversationId,
    stage,
    iteration: run.iteration,
  });
  try {
    for (const registered of plugins) {
      if (run.signal.aborted) throw new StageFailure(stage, ENGINE, abortReason(run.signal));
      await runPlugin(run, context, runtime, registered);
    }
    await flushToolQueue(run, runtime);
    end({ durationMs: performance.now() - startTime, success: true });
  } catch (error) {
    end({ durationMs: performance.now() - startTime, success: false, error: toError(error), errorType: errorTypeOf(error) });
    if (error instanceof StageFailure) throw error;
    throw new StageFailure(stage, ENGINE, error);
  }
}

function failureInfo(failure: StageFailure, iteration: number): FailureInfo {
  const error = toError(failure.original);
  return {
    stage: failure.stage,
    plugin: failure.plugin,
    iteration,
    error,
    errorType: errorTypeOf(failure.original),
    safeMessage: EntityError.isInstance(failure.original) ? failure.original.safeMessage : DEFAULT_SAFE_MESSAGE,
  };
}

/** ERROR stage: failure plugins may respond; if none does, the safe message; if one throws, a last-resort reply. */
async function runErrorStage(run: Run, context: RunContext, runtime: EngineRuntime, failure: StageFailure): Promise<void> {
  const info = failureInfo(failure, run.iteration);
  run.failure = info;
  run.responded = false;
  run.response = undefined;
  // Redacted here, not left to the logger: whichever logger is installed, core's own lines are safe.
  runtime.logger.error(`Plugin "${info.plugin}" failed in ${info.stage}: ${redactSecrets(info.error.message)}`, {
    component: 'pipeline',
    runId: run.runId,
    userId: run.userId,
    conversationId: run.conversationId,
    stage: info.stage,
    plugin: info.plugin,
    errorType: info.errorType,
    stack: info.error.stack === undefined ? undefined : redactSecrets(info.error.stack),
  });
  await run.emit?.({
    type: 'error',
    errorType: info.errorType,
    message: info.safeMessage,
    stage: info.stage,
    plugin: info.plugin,
    discardPartialOutput: run.emittedTokens,
  });
  run.queue.length = 0;
  // The run's own signal may be what failed (a timeout): ERROR plugins get a fresh deadline, still cancellable.
  const timeoutMs = runtime.settings.errorTimeoutMs;
  const deadline = linkAbort([run.cancelSignal]);
  const timer = setTimeout(() => deadline.controller.abort(new TimeoutError(`The ERROR stage took longer than ${timeoutMs} ms`, timeoutMs)), timeoutMs);
  const runSignal = run.signal;
  run.signal = deadline.signal;
  try {
    await runStage(run, context, runtime, 'ERROR');
  } catch (error) {
    const cause = error instanceof StageFailure ? error.original : error;
    if (CancelledError.isInstance(cause)) throw cause;
    runtime.logger.error(`The ERROR stage itself failed: ${redactSecrets(toError(cause).message)}`, {
      component: 'pipeline',
      runId: run.runId,
      plugin: error instanceof StageFailure ? error.plugin : ENGINE,
      errorType: errorTypeOf(cause),
    });
    run.response = DEFAULT_SAFE_MESSAGE;
    run.responded = true;
    return;
  } finally {
    clearTimeout(timer);
    deadline.unlink();
    // The deadline is unlinked from cancellation now; what follows (the `response` event) must
    // still end when the run is cancelled or its time is up.
    run.signal = runSignal;
  }
  if (!run.responded) {
    run.response = info.safeMessage;
    run.responded = true;
  }
}

/** Runs PARSE → THINK → DO → REVIEW → DELIVER until a DELIVER plugin responds, then returns the result. */
export async function executeRun(run: Run, context: RunContext, runtime: EngineRuntime): Promise<ChatResult> {
  const startTime = performance.now();
  run.spanId = runtime.hub.newId();
  await run.emit?.({ type: 'run-start', runId: run.runId, userId: run.userId, conversationId: run.conversationId });
  const end = !runtime.hub.active ? noOperation : runtime.hub.start({
    kind: 'run',
    id: run.spanId,
    ...(run.parentOperationId === undefined ? {} : { parentId: run.parentOperationId }),
    name: 'run',
    runId: run.runId,
    userId: run.userId,
    conversationId: run.conversationId,
    ...(run.correlationId ? { correlationId: run.correlationId } : {}),
  });
  try {
    try {
      const { maxIterations } = runtime.settings;
      loop: for (run.iteration = 1; run.iteration <= maxIterations; run.iteration++) {
        for (const stage of PIPELINE_STAGES) {
          await runStage(run, context, runtime, stage);
          if (run.responded) break loop;
        }
      }
      if (!run.responded) {
        run.iteration = maxIterations;
        throw new StageFailure('DELIVER', ENGINE, new MaxIterationsError(maxIterations));
      }
      if (run.output) settleOutput(run);
    } catch (error) {
      const failure = error instanceof StageFailure ? error : new StageFailure(run.stage, ENGINE, error);
      // A caller's cancellation ends the run; nobody is waiting for an apology.
      if (CancelledError.isInstance(failure.original)) throw failure.original;
      await runErrorStage(run, context, runtime, failure);
    }
  } catch (error) {
    end({ durationMs: performance.now() - startTime, success: false, error: toError(error), errorType: errorTypeOf(error), attributes: { iterations: run.iteration } });
    throw error;
  }
  const durationMs = performance.now() - startTime;
  const info = runInfo(run, durationMs);
  end({
    durationMs,
    success: run.failure === undefined,
    ...(run.failure ? { error: run.failure.error, errorType: run.failure.errorType } : {}),
    attributes: { iterations: info.iterations, inputTokens: run.usage.inputTokens, outputTokens: run.usage.outputTokens },
  });
  const response = run.response ?? DEFAULT_SAFE_MESSAGE;
  const text = typeof response === 'string' ? response : JSON.stringify(response);
  await run.emit?.({ type: 'response', response, text });
  return { status: run.failure ? 'failed' : 'ok', response, text, info, ...(run.output && !run.failure ? { output: run.outputValue } : {}) };
}

/**
 * A run that asked for `output` answers in that schema, whoever responded: the model's structured
 * answer is taken as validated; any other response (a plugin's `ctx.answer()` text, a custom
 * DELIVER plugin) is parsed and checked here, and a mismatch fails the run (code OUTPUT_INVALID).
 */
function settleOutput(run: Run): void {
  const output = run.output!;
  const structured = run.state.get(STATE.structuredAnswer) as StructuredAnswer | undefined;
  if (structured !== undefined && structured.json === run.response) {
    run.outputValue = structured.value;
    return;
  }
  const checked = checkAnswer(run.response ?? null, output);
  if (!checked.ok) throw new StageFailure('DELIVER', ENGINE, outputMismatch(output, checked.problem));
  run.response = checked.answer.json;
  run.outputValue = checked.answer.value;
}

function runInfo(run: Run, durationMs: number): RunInfo {
  return {
    runId: run.runId,
    userId: run.userId,
    conversationId: run.conversationId,
    iterations: Math.min(run.iteration, Number.MAX_SAFE_INTEGER),
    durationMs,
    plugins: run.pluginTimings,
    toolCalls: run.toolCalls,
    usage: { ...run.usage },
    ...(run.sources.length > 0 ? { sources: [...run.sources] } : {}),
    ...(run.annotations.size > 0 ? { annotations: Object.fromEntries(run.annotations) } : {}),
    ...(run.failure ? { failure: callerFailure(run.failure) } : {}),
  };
}

/** What a caller may see of a failure: where, a stable code and safe text. The detail goes only to the log. */
function callerFailure(failure: FailureInfo): NonNullable<RunInfo['failure']> {
  return {
    stage: failure.stage,
    plugin: failure.plugin,
    errorType: failure.errorType,
    code: EntityError.isInstance(failure.error) ? failure.error.code : UNEXPECTED_ERROR_CODE,
    message: redactSecrets(failure.safeMessage),
  };
}
