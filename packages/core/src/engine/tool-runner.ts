import { z } from 'zod';
import type { ToolContext, ToolResult } from '../contracts/tool.js';
import { CancelledError, TimeoutError } from '../errors/index.js';
import { withTimeout } from '../resilience/timeout.js';
import { instrumentResource } from './instrumented-resource.js';
import { errorTypeOf, toError } from './instrumentation-hub.js';
import type { Run } from './run.js';
import type { EngineRuntime } from './runtime.js';

const failure = (callId: string, name: string, code: string, message: string, durationMs: number): ToolResult => ({
  ok: false,
  callId,
  name,
  error: { code, message },
  durationMs,
});

/**
 * Calls one registered tool: validates arguments with its zod schema, applies its timeout, and
 * turns every failure into an `ok: false` result the model can read. Only cancellation of the
 * whole run escapes as an exception.
 */
export async function callTool(
  run: Run,
  runtime: EngineRuntime,
  name: string,
  args: unknown,
  callId: string,
  parentId: number,
): Promise<ToolResult> {
  const startTime = performance.now();
  await run.emit?.({ type: 'tool-call', callId, name, arguments: args });
  const spanId = runtime.hub.newId();
  const end = runtime.hub.start({
    kind: 'tool',
    id: spanId,
    parentId,
    name,
    runId: run.runId,
    userId: run.userId,
    conversationId: run.conversationId,
    stage: run.stage,
    iteration: run.iteration,
    operation: 'call',
    ...(run.correlationId ? { correlationId: run.correlationId } : {}),
  });
  const result = await executeTool(run, runtime, name, args, callId, startTime, spanId);
  end({
    durationMs: result.durationMs,
    success: result.ok,
    ...(result.ok ? {} : { errorType: result.error.code }),
  });
  run.toolCalls.push({
    callId,
    name,
    arguments: args,
    success: result.ok,
    durationMs: result.durationMs,
    ...(result.ok ? {} : { error: result.error.message }),
  });
  await run.emit?.(
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
): Promise<ToolResult> {
  const elapsed = () => performance.now() - startTime;
  const tool = runtime.registry.tool(name);
  if (!tool) {
    const available = runtime.registry.discoverTools().map((info) => info.name);
    return failure(callId, name, 'TOOL_NOT_FOUND', `Unknown tool "${name}". Available tools: ${available.join(', ') || 'none'}`, elapsed());
  }
  const parsed = tool.input.safeParse(args);
  if (!parsed.success) {
    return failure(callId, name, 'INVALID_ARGUMENTS', `Invalid arguments for tool "${name}": ${z.prettifyError(parsed.error)}`, elapsed());
  }
  const timeoutMs = tool.timeoutMs ?? runtime.settings.toolTimeoutMs;
  try {
    const value = await withTimeout(
      (signal) => {
        const context: ToolContext = {
          userId: run.userId,
          conversationId: run.conversationId,
          runId: run.runId,
          signal,
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
    return { ok: true, callId, name, value, durationMs: elapsed() };
  } catch (error) {
    if (CancelledError.isInstance(error) || run.signal.aborted) throw error;
    if (TimeoutError.isInstance(error)) return failure(callId, name, 'TIMEOUT', error.message, elapsed());
    return failure(callId, name, errorTypeOf(error) === 'Error' ? 'TOOL_FAILED' : errorTypeOf(error), toError(error).message, elapsed());
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
