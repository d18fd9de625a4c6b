import { z } from 'zod';
import type { ToolContext, ToolResult } from '../contracts/tool.js';
import { CancelledError, EntityError, TimeoutError, ToolError, ValidationError } from '../errors/index.js';
import { redactSecrets } from '../redaction/secret-redactor.js';
import { withTimeout } from '../resilience/timeout.js';
import { instrumentResource } from './instrumented-resource.js';
import { NESTING_DEPTH, type Nested } from './nesting.js';
import { errorTypeOf, toError } from './instrumentation-hub.js';
import type { Run } from './run.js';
import type { EngineRuntime, EventSink } from './runtime.js';

/** A tool call's outcome, with what only the developer may see of a failure. */
interface ToolOutcome {
  result: ToolResult;
  /** For failures: the error's kind (`TypeError`, or the Entity error's code) and its redacted text. */
  failure?: { errorType: string; detail: string };
}

/** Fails a call: `modelMessage` goes to the model, conversation and stream; `detail` only to the record and the log. */
function failed(callId: string, name: string, durationMs: number, code: string, errorType: string, modelMessage: string, detail = modelMessage): ToolOutcome {
  return {
    result: { ok: false, callId, name, error: { code, message: redactSecrets(modelMessage) }, durationMs },
    failure: { errorType, detail: redactSecrets(detail) },
  };
}

/** What kind of error a tool threw, without its text: the class name, or a system code such as `ENOENT`. */
function kindOf(error: unknown): string {
  if (!(error instanceof Error)) return errorTypeOf(error);
  const code = (error as { code?: unknown }).code;
  return error.name === 'Error' && typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : error.name;
}

/**
 * Calls one registered tool: validates arguments with its zod schema, applies its timeout, and
 * turns every failure into an `ok: false` result the model can read. Only cancellation of the
 * whole run escapes as an exception. A failure leaves one record — in `info.toolCalls` and in
 * the log — naming the tool, stage, iteration, code, kind and the redacted error text; the model
 * gets the (redacted) message of a ToolError or ValidationError, for any other Entity error only
 * the tool's name and the error's code, for any other error the tool's name and the error's kind.
 */
export async function callTool(
  run: Run,
  runtime: EngineRuntime,
  name: string,
  args: unknown,
  callId: string,
  parentId: number,
  /** Where the call's events go: the run's sink, or that of the plugin call making it (closed once the pipeline left it). */
  emit: EventSink | undefined = run.emit,
): Promise<ToolResult> {
  const startTime = performance.now();
  const { stage, iteration } = run;
  await emit?.({ type: 'tool-call', callId, name, arguments: args });
  const spanId = runtime.hub.newId();
  const end = !runtime.hub.active ? undefined : runtime.hub.start({
    kind: 'tool',
    id: spanId,
    parentId,
    name,
    runId: run.runId,
    userId: run.userId,
    conversationId: run.conversationId,
    stage,
    iteration,
    operation: 'call',
    ...(run.correlationId ? { correlationId: run.correlationId } : {}),
  });
  const { result, failure } = await executeTool(run, runtime, name, args, callId, startTime, spanId, emit);
  end?.({
    durationMs: result.durationMs,
    success: result.ok,
    ...(failure ? { errorType: failure.errorType } : {}),
  });
  run.toolCalls.push({
    callId,
    name,
    arguments: args,
    success: result.ok,
    durationMs: result.durationMs,
    stage,
    iteration,
    ...(!result.ok && failure ? { code: result.error.code, errorType: failure.errorType, error: failure.detail } : {}),
  });
  if (!result.ok && failure) {
    runtime.logger.warn(`Tool "${name}" failed in ${stage} (iteration ${iteration}) with ${result.error.code} (${failure.errorType}): ${failure.detail}`, {
      component: 'tool',
      tool: name,
      callId,
      runId: run.runId,
      userId: run.userId,
      conversationId: run.conversationId,
      stage,
      iteration,
      code: result.error.code,
      errorType: failure.errorType,
      durationMs: result.durationMs,
      ...(run.correlationId ? { correlationId: run.correlationId } : {}),
    });
  }
  await emit?.(
    result.ok
      ? { type: 'tool-result', callId, name, ok: true, value: result.value }
      : { type: 'tool-result', callId, name, ok: false, error: result.error.message },
  );
  return result;
}

async function executeTool(
  run: Run,
  runtime: EngineRuntime,
  name: string,
  args: unknown,
  callId: string,
  startTime: number,
  spanId: number,
  emit: EventSink | undefined,
): Promise<ToolOutcome> {
  const elapsed = () => performance.now() - startTime;
  const tool = runtime.registry.tool(name);
  if (!tool) {
    const available = runtime.registry.discoverTools().map((info) => info.name);
    return failed(callId, name, elapsed(), 'TOOL_NOT_FOUND', 'TOOL_NOT_FOUND', `Unknown tool "${name}". Available tools: ${available.join(', ') || 'none'}`);
  }
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) {
    return failed(callId, name, elapsed(), 'INVALID_ARGUMENTS', 'INVALID_ARGUMENTS', `Invalid arguments for tool "${name}": ${z.prettifyError(parsed.error)}`);
  }
  const timeoutMs = tool.timeoutMs ?? runtime.settings.toolTimeoutMs;
  try {
    const value = await withTimeout(
      (signal) => {
        const context: ToolContext & Nested = {
          [NESTING_DEPTH]: run.nestingDepth,
          userId: run.userId,
          conversationId: run.conversationId,
          runId: run.runId,
          callId,
          ...(run.correlationId ? { correlationId: run.correlationId } : {}),
          operationId: spanId,
          signal,
          streaming: emit !== undefined,
          forwardEvent: async (agent, event) => {
            await emit?.({ type: 'nested', callId, agent, event });
          },
          resource: (resourceName) =>
            instrumentResource(resourceName, runtime.container.get<object>(resourceName), runtime.hub, {
              runId: run.runId,
              userId: run.userId,
              conversationId: run.conversationId,
              correlationId: run.correlationId,
              currentSpanId: spanId,
              stage: run.stage,
              iteration: run.iteration,
            }) as never,
          log: runtime.logger.child({ component: 'tool', tool: name, runId: run.runId }),
        };
        return run.track(Promise.resolve(tool.execute(parsed.data, context)));
      },
      timeoutMs,
      { signal: run.signal, description: `Tool "${name}"` },
    );
    return { result: { ok: true, callId, name, value, durationMs: elapsed() } };
  } catch (error) {
    if (CancelledError.isInstance(error) || run.signal.aborted) throw error;
    if (TimeoutError.isInstance(error)) return failed(callId, name, elapsed(), 'TIMEOUT', 'TIMEOUT', error.message);
    // ToolError and ValidationError are written for the model ("order 7 does not exist"). Other
    // Entity errors (ProviderError, ResourceError, ...) wrap a driver's or provider's text — hosts,
    // table names, SQL — so the model gets only their code; the text goes to the log.
    if (ToolError.isInstance(error) || ValidationError.isInstance(error)) return failed(callId, name, elapsed(), error.code, error.code, error.message);
    if (EntityError.isInstance(error)) {
      return failed(callId, name, elapsed(), error.code, error.code, `Tool "${name}" failed (${error.code}). The details are in the log.`, error.message);
    }
    const kind = kindOf(error);
    return failed(callId, name, elapsed(), 'TOOL_FAILED', kind, `Tool "${name}" failed (${kind}). The details are in the log.`, toError(error).message);
  }
}

/** Runs every queued call in parallel (at most `toolConcurrency` at once) and records their results. */
export async function flushToolQueue(run: Run, runtime: EngineRuntime): Promise<void> {
  if (run.queue.length === 0) return;
  const calls = run.queue.splice(0);
  const results = new Array<ToolResult>(calls.length);
  let next = 0;
  const worker = async () => {
    while (next < calls.length) {
      const index = next++;
      const call = calls[index]!;
      results[index] = await callTool(run, runtime, call.name, call.args, call.callId, call.parentId);
    }
  };
  const workers = Math.min(runtime.settings.toolConcurrency, calls.length);
  await Promise.all(Array.from({ length: workers }, worker));
  // Results join the conversation in the order the calls were queued, whatever order they finished in.
  for (const [index, call] of calls.entries()) {
    const result = results[index]!;
    run.results.set(call.callId, result);
    if (call.toolCallId !== undefined) {
      run.newMessages.push({
        role: 'tool',
        toolCallId: call.toolCallId,
        name: call.name,
        content: result.ok ? serializeToolValue(result.value) : `Error: ${result.error.message}`,
        ...(result.ok ? {} : { isError: true }),
      });
    }
  }
}

export function serializeToolValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'null';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
