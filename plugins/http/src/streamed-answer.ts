import type { AgentEvent } from '@entity/core';

/**
 * Decides what text an OpenAI-style stream sends for a run's events, so the client's text ends
 * up holding the agent's final answer.
 *
 * Tokens are sent as they come. A run may call the model more than once (text before a tool
 * call, then the answer), so each model call after a stage boundary or tool call starts a new
 * paragraph. When the final response arrives it is compared with the last paragraph: what it
 * adds is sent; if it differs (a DELIVER plugin rewrote it), it is sent whole as a new paragraph.
 */
export class StreamedAnswer {
  private sentAnything = false;
  private segment = '';
  private boundary = false;

  /** The content delta to send for `event`, or undefined for none. */
  next(event: AgentEvent): string | undefined {
    switch (event.type) {
      case 'stage':
      case 'tool-call':
        if (this.segment !== '') this.boundary = true;
        return undefined;
      case 'token':
        return event.text === '' ? undefined : this.send(event.text);
      case 'response': {
        // Stage events after the last model call do not matter here: only the text does.
        if (event.text.startsWith(this.segment)) {
          const rest = event.text.slice(this.segment.length);
          if (rest === '') return undefined;
          this.boundary = false;
          return this.send(rest);
        }
        this.boundary = true;
        return event.text === '' ? undefined : this.send(event.text);
      }
      default:
        return undefined;
    }
  }

  private send(text: string): string {
    if (this.boundary) {
      this.boundary = false;
      this.segment = text;
      const separated = this.sentAnything ? `\n\n${text}` : text;
      this.sentAnything = true;
      return separated;
    }
    this.segment += text;
    this.sentAnything = true;
    return text;
  }
}
