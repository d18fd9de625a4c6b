import { type Message, type Part, Role, type Task, TaskState } from '@a2a-js/sdk';

/** A text part as the SDK's objects hold it (the wire JSON is `{ "text": ..., "mediaType": "text/plain" }`). */
export function textPart(text: string): Part {
  return { content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined };
}

/** A message from the agent side holding one text part. */
export function agentMessage(text: string, ids: { taskId: string; contextId: string }): Message {
  return {
    messageId: crypto.randomUUID(),
    taskId: ids.taskId,
    contextId: ids.contextId,
    role: Role.ROLE_AGENT,
    parts: [textPart(text)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/**
 * The text of some parts: text parts as written, data parts as JSON. File parts (raw bytes or a
 * URL) are not text; `unsupported` counts them so the caller can say what was left out.
 */
export function textOfParts(parts: readonly Part[]): { text: string; unsupported: string[] } {
  const texts: string[] = [];
  const unsupported: string[] = [];
  for (const part of parts) {
    const content = part.content;
    if (content?.$case === 'text') texts.push(content.value);
    else if (content?.$case === 'data') texts.push(JSON.stringify(content.value));
    else unsupported.push(content?.$case ?? 'empty');
  }
  return { text: texts.join('\n'), unsupported };
}

/** States after which a task never changes again. */
export const TERMINAL_STATES: ReadonlySet<TaskState> = new Set([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);

/** `TASK_STATE_INPUT_REQUIRED` → `input-required`: the spelling a model (and a log) reads best. */
export function stateName(state: TaskState | undefined): string {
  if (state === undefined) return 'unknown';
  const name = TaskState[state] ?? 'UNRECOGNIZED';
  return name.replace(/^TASK_STATE_/, '').toLowerCase().replaceAll('_', '-');
}

/** The answer a task carries: its artifacts' text, else its status message's text. */
export function textOfTask(task: Task): string {
  const fromArtifacts = task.artifacts.map((artifact) => textOfParts(artifact.parts).text).filter((text) => text.length > 0);
  if (fromArtifacts.length > 0) return fromArtifacts.join('\n');
  return task.status?.message ? textOfParts(task.status.message.parts).text : '';
}
