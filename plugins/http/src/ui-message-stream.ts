import type { AgentEvent } from '@entity/core';
import { type PublicRunInfo, publicRunInfo } from './public-run-info.js';

/**
 * One part of the Vercel AI SDK's UI message stream (protocol v1), as the `ai` package's
 * `uiMessageChunkSchema` accepts it. Only the parts this server sends are listed.
 */
export type UIMessageChunk =
  | { type: 'start'; messageId?: string }
  | { type: 'start-step' }
  | { type: 'finish-step' }
  | { type: 'reset-step' }
  | { type: 'text-start'; id: string }
  | { type: 'text-delta'; id: string; delta: string }
  | { type: 'text-end'; id: string }
  | { type: 'tool-input-available'; toolCallId: string; toolName: string; input: unknown }
  | { type: 'tool-output-available'; toolCallId: string; output: unknown }
  | { type: 'tool-output-error'; toolCallId: string; errorText: string }
  | { type: `data-${string}`; data: unknown }
  | { type: 'error'; errorText: string }
  | { type: 'finish'; finishReason: 'stop' | 'error'; messageMetadata: { runInfo: PublicRunInfo } };

/**
 * Turns a run's events into UI message stream parts, so `useChat` renders the turn as one
 * assistant message: each model call is a step (`start-step` … `finish-step`), its tokens one
 * text part, tool calls and results tool parts (static, `tool-<name>`, executed on the server).
 *
 * The final `response` is checked against the text streamed in the last step: what it adds is
 * sent as more text; if it differs (a DELIVER plugin rewrote it, or the model failed and the
 * agent answers with its safe message), the step's streamed text is withdrawn with `reset-step`
 * and the final text sent in its place, so the client ends up showing the agent's real answer.
 */
export class UIMessageStreamWriter {
  private started = false;
  private stepOpen = false;
  private stepHasTools = false;
  private stepText = '';
  private textId: string | undefined;
  private textCount = 0;
  private runId = 'run';

  /** The parts for one agent event. */
  next(event: AgentEvent): UIMessageChunk[] {
    switch (event.type) {
      case 'run-start':
        this.runId = event.runId;
        this.started = true;
        return [{ type: 'start', messageId: event.runId }];
      case 'stage':
        return event.stage === 'THINK' ? [...this.endStep(), { type: 'start-step' }, ...this.beginStep()] : [];
      case 'token':
        return event.text === '' ? [] : this.text(event.text);
      case 'tool-call':
        this.stepHasTools = true;
        return [...this.endText(), { type: 'tool-input-available', toolCallId: event.callId, toolName: event.name, input: event.arguments ?? {} }];
      case 'tool-result':
        // The error text of a failed tool stays in the log, as in every other response.
        return event.ok
          ? [{ type: 'tool-output-available', toolCallId: event.callId, output: event.value ?? null }]
          : [{ type: 'tool-output-error', toolCallId: event.callId, errorText: `The tool "${event.name}" failed` }];
      case 'error':
        return event.discardPartialOutput ? this.withdrawStepText() : [];
      case 'response':
        return this.response(event.text);
      case 'custom':
        return [{ type: `data-${event.name}`, data: event.data ?? null }];
      case 'done':
        return [
          ...this.endText(),
          ...this.endStep(),
          { type: 'finish', finishReason: event.result.info.failure ? 'error' : 'stop', messageMetadata: { runInfo: publicRunInfo(event.result.info) } },
        ];
      default:
        return [];
    }
  }

  /** The parts that end a stream whose run failed outside its stages. */
  failed(errorText: string): UIMessageChunk[] {
    const start: UIMessageChunk[] = this.started ? [] : [{ type: 'start' }];
    this.started = true;
    return [...start, ...this.endText(), ...this.endStep(), { type: 'error', errorText }];
  }

  private beginStep(): UIMessageChunk[] {
    this.stepOpen = true;
    this.stepHasTools = false;
    this.stepText = '';
    return [];
  }

  private endStep(): UIMessageChunk[] {
    if (!this.stepOpen) return [];
    this.stepOpen = false;
    return [...this.endText(), { type: 'finish-step' }];
  }

  private text(delta: string): UIMessageChunk[] {
    const parts: UIMessageChunk[] = [];
    if (!this.stepOpen) parts.push({ type: 'start-step' }, ...this.beginStep());
    if (this.textId === undefined) {
      this.textId = `${this.runId}-text-${++this.textCount}`;
      parts.push({ type: 'text-start', id: this.textId });
    }
    this.stepText += delta;
    parts.push({ type: 'text-delta', id: this.textId, delta });
    return parts;
  }

  private endText(): UIMessageChunk[] {
    if (this.textId === undefined) return [];
    const id = this.textId;
    this.textId = undefined;
    return [{ type: 'text-end', id }];
  }

  /** Removes this step's streamed text from the client's message; a step with tool parts keeps them. */
  private withdrawStepText(): UIMessageChunk[] {
    if (this.stepText === '' || this.stepHasTools) return [];
    this.stepText = '';
    return [...this.endText(), { type: 'reset-step' }];
  }

  private response(text: string): UIMessageChunk[] {
    if (this.stepText !== '' && text.startsWith(this.stepText)) {
      const rest = text.slice(this.stepText.length);
      return rest === '' ? [] : this.text(rest);
    }
    const withdrawn = this.withdrawStepText();
    return [...withdrawn, ...this.endText(), ...(text === '' ? [] : this.text(text))];
  }
}
