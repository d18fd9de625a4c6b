import { type Message, TaskState } from '@a2a-js/sdk';
import { AgentEvent as A2AEvent, type AgentExecutor, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server';
import { type Agent, DEFAULT_SAFE_MESSAGE, EntityError } from '@entity/core';
import { MAX_IDENTIFIER_LENGTH } from '@entity/core/internal';
import { agentMessage, textOfParts, textPart } from './a2a-parts.js';

/** The id of the artifact that carries the agent's answer (streamed in chunks, then replaced by the whole text). */
export const RESPONSE_ARTIFACT_ID = 'response';

interface RunningTask {
  controller: AbortController;
  taskId: string;
  contextId: string;
}

export interface EntityAgentExecutorOptions {
  /** The Entity user a call runs as: the authenticated caller the transport put in the call context. */
  userIdOf(requestContext: RequestContext): string;
  /** The incoming request's id, which tags the run's logs. */
  correlationIdOf(requestContext: RequestContext): string | undefined;
  /** Longest message accepted, in characters. */
  maxMessageChars: number;
  /** Tokens are sent as one chunk per this many ms (each event rewrites the stored task). */
  chunkIntervalMs: number;
}

/** Most text one chunk holds before it is sent early. */
const MAX_CHUNK_CHARS = 4096;

/**
 * Gathers model tokens into chunks sent at most every `intervalMs`: the SDK stores the whole task
 * again for every event, so one event per token makes a long answer cost quadratic time.
 */
class ChunkBuffer {
  private text = '';
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly send: (text: string) => void,
  ) {}

  add(text: string): void {
    this.text += text;
    if (this.text.length >= MAX_CHUNK_CHARS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.text.length === 0) return;
    const text = this.text;
    this.text = '';
    this.send(text);
  }

  /** Drops what is gathered (void text, or a run that ended). */
  discard(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.text = '';
  }
}

/**
 * Runs one Entity turn per A2A task and turns the run's events into A2A events: `token` events
 * become chunks of the `response` artifact, tool calls become `working` status updates (with
 * `metadata.entity`), and the end of the run the task's final state (`completed`, or `failed`
 * with the run's safe message). The A2A `contextId` is the Entity `conversationId`, under the
 * caller's own user id, so one caller never reaches another's conversation.
 */
export class EntityAgentExecutor implements AgentExecutor {
  // Keyed by the task's event bus, which the SDK scopes to the task's owner: a cancel can only
  // reach a task the caller could load.
  private readonly running = new Map<ExecutionEventBus, RunningTask>();

  constructor(
    private readonly agent: Agent,
    private readonly options: EntityAgentExecutorOptions,
  ) {}

  execute = async (requestContext: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId } = requestContext;
    const userMessage = requestContext.userMessage;
    const ids = { taskId, contextId };
    bus.publish(
      A2AEvent.task({
        id: taskId,
        contextId,
        status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: new Date().toISOString() },
        artifacts: [],
        history: [userMessage],
        metadata: undefined,
      }),
    );
    const refusal = this.refusalOf(userMessage, contextId);
    if (refusal !== undefined) {
      this.finish(bus, ids, TaskState.TASK_STATE_REJECTED, refusal);
      return;
    }
    const running: RunningTask = { controller: new AbortController(), taskId, contextId };
    this.running.set(bus, running);
    const signal = running.controller.signal;
    bus.publish(A2AEvent.statusUpdate({ taskId, contextId, status: status(TaskState.TASK_STATE_WORKING), metadata: undefined }));
    let streamedChunks = 0;
    const chunks = new ChunkBuffer(this.options.chunkIntervalMs, (text) => {
      if (signal.aborted) return;
      bus.publish(
        A2AEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: { artifactId: RESPONSE_ARTIFACT_ID, name: 'response', description: '', parts: [textPart(text)], metadata: undefined, extensions: [] },
          append: streamedChunks++ > 0,
          lastChunk: false,
          metadata: undefined,
        }),
      );
    });
    try {
      const correlationId = this.options.correlationIdOf(requestContext);
      const events = this.agent.stream(textOfParts(userMessage.parts).text, {
        userId: this.options.userIdOf(requestContext),
        conversationId: contextId,
        signal,
        ...(correlationId === undefined ? {} : { correlationId }),
      });
      for await (const event of events) {
        // A cancel has already published the final state; nothing may follow it.
        if (signal.aborted) return;
        switch (event.type) {
          case 'token':
            chunks.add(event.text);
            break;
          case 'tool-call':
          case 'tool-result':
            chunks.flush();
            bus.publish(
              A2AEvent.statusUpdate({
                taskId,
                contextId,
                status: status(TaskState.TASK_STATE_WORKING),
                metadata: {
                  entity: event.type === 'tool-call'
                    ? { event: 'tool-call', callId: event.callId, tool: event.name }
                    : { event: 'tool-result', callId: event.callId, tool: event.name, ok: event.ok },
                },
              }),
            );
            break;
          case 'error':
            // Tokens before an error are void (`discardPartialOutput`); the reply follows in `done`.
            chunks.discard();
            break;
          case 'done': {
            chunks.flush();
            // The whole answer replaces the streamed chunks: after an error they are void
            // (`discardPartialOutput`), and a blocking caller gets one clean part.
            bus.publish(
              A2AEvent.artifactUpdate({
                taskId,
                contextId,
                artifact: { artifactId: RESPONSE_ARTIFACT_ID, name: 'response', description: '', parts: [textPart(event.result.text)], metadata: undefined, extensions: [] },
                append: false,
                lastChunk: true,
                metadata: undefined,
              }),
            );
            const failed = event.result.status === 'failed';
            this.finish(bus, ids, failed ? TaskState.TASK_STATE_FAILED : TaskState.TASK_STATE_COMPLETED, event.result.text, {
              entity: { runId: event.result.info.runId, ...(event.result.info.failure ? { failure: { code: event.result.info.failure.code, stage: event.result.info.failure.stage } } : {}) },
            });
            break;
          }
          default:
            break;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      // Only a safe message leaves the server; the run's log has the details.
      this.finish(bus, ids, TaskState.TASK_STATE_FAILED, EntityError.isInstance(error) ? error.safeMessage : DEFAULT_SAFE_MESSAGE);
    } finally {
      chunks.discard();
      this.running.delete(bus);
    }
  };

  cancelTask = async (taskId: string, bus: ExecutionEventBus): Promise<void> => {
    const running = this.running.get(bus);
    if (!running) return;
    this.running.delete(bus);
    running.controller.abort();
    this.finish(bus, { taskId, contextId: running.contextId }, TaskState.TASK_STATE_CANCELED, 'The task was cancelled.');
  };

  /** Aborts every running task (the server is closing). */
  cancelAll(): void {
    for (const [bus, running] of [...this.running]) void this.cancelTask(running.taskId, bus);
  }

  get runningCount(): number {
    return this.running.size;
  }

  private refusalOf(message: Message, contextId: string): string | undefined {
    // The contextId becomes a conversation id, which memory stores: refuse what it cannot keep, up front.
    if (contextId.length > MAX_IDENTIFIER_LENGTH || contextId.includes('\u0000')) {
      return `The contextId must be at most ${MAX_IDENTIFIER_LENGTH} characters without NUL characters. Send a shorter contextId, or none to start a new conversation.`;
    }
    const { text, unsupported } = textOfParts(message.parts);
    if (unsupported.length > 0) return `This agent reads text and data parts only; the message has ${unsupported.join(', ')} part(s). Send the content as text.`;
    if (text.trim().length === 0) return 'The message has no text. Send at least one non-empty text part.';
    if (text.length > this.options.maxMessageChars) return `The message is ${text.length} characters long; this agent accepts at most ${this.options.maxMessageChars}. Send a shorter message.`;
    return undefined;
  }

  private finish(bus: ExecutionEventBus, ids: { taskId: string; contextId: string }, state: TaskState, text: string, metadata?: Record<string, unknown>): void {
    bus.publish(A2AEvent.statusUpdate({ ...ids, status: { ...status(state), message: agentMessage(text, ids) }, metadata }));
  }
}

function status(state: TaskState) {
  return { state, message: undefined, timestamp: new Date().toISOString() };
}
