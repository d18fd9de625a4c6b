import type { AgentEvent, ChatResult } from '@entity/core';
import type { CliContext } from './cli-context.js';
import { terminalSafe } from './terminal/safe-text.js';

const MAX_SHOWN = 200;

function shorten(value: unknown): string {
  const text = terminalSafe(typeof value === 'string' ? value : JSON.stringify(value) ?? String(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** What one streamed turn produced, for `--json` and exit codes. */
export interface TurnOutcome {
  result: ChatResult | undefined;
  /** Milliseconds from the start of the turn to the first token (undefined when nothing streamed). */
  firstTokenMs: number | undefined;
  /** Stage entries in order with when they began, relative to the start of the turn. */
  stages: { stage: string; iteration: number; atMs: number }[];
  errors: { errorType: string; message: string; stage: string; plugin: string }[];
}

export interface EventPrinterOptions {
  /** Print tokens and the answer. Default: true (false for --json). */
  showText?: boolean;
  /** Called once before the first visible output (to stop a spinner). */
  onFirstOutput?: () => void;
  /** Written before the answer's first text (the REPL's `agent ›`), not before tool calls. */
  textPrefix?: string;
  /**
   * Leave failures to the caller: `error` events are not printed and a failed turn's reply (the
   * apology) is not written as the answer, so the caller reports the failure once, on stderr
   * (`entity run`). Default: false (the REPL shows the error and the apology, like a user would see them).
   */
  callerReportsFailure?: boolean;
}

/**
 * Renders a turn as it streams: tokens to stdout as they arrive, tool calls and errors to stderr
 * (so `entity run ... > answer.txt` captures only the answer). Falls back to printing the final
 * text when the model did not stream. Everything that came from the model, a tool or a plugin is
 * written without terminal control sequences, so a reply cannot rewrite the user's terminal.
 */
export async function printTurn(events: AsyncIterable<AgentEvent>, cli: CliContext, options: EventPrinterOptions = {}): Promise<TurnOutcome> {
  const showText = options.showText ?? true;
  const started = performance.now();
  const outcome: TurnOutcome = { result: undefined, firstTokenMs: undefined, stages: [], errors: [] };
  let firstOutput = true;
  let streamedText = '';
  let lineOpen = false;
  let prefixed = false;
  const writeText = (raw: string) => {
    const text = terminalSafe(raw);
    if (text.length === 0) return;
    if (!prefixed && options.textPrefix) cli.stdout.write(options.textPrefix);
    prefixed = true;
    cli.stdout.write(text);
    lineOpen = !text.endsWith('\n');
  };
  const visible = () => {
    if (firstOutput) {
      firstOutput = false;
      options.onFirstOutput?.();
    }
  };
  const closeLine = () => {
    if (lineOpen) cli.stdout.write('\n');
    lineOpen = false;
  };
  const c = cli.err;
  for await (const event of events) {
    switch (event.type) {
      case 'stage':
        outcome.stages.push({ stage: event.stage, iteration: event.iteration, atMs: Math.round(performance.now() - started) });
        break;
      case 'token':
        outcome.firstTokenMs ??= Math.round(performance.now() - started);
        streamedText += event.text;
        if (showText && event.text) {
          visible();
          writeText(event.text);
        }
        break;
      case 'tool-call':
        if (showText) {
          visible();
          closeLine();
          prefixed = false;
          cli.note(`${c.magenta('→')} ${c.bold(terminalSafe(event.name))}${c.dim(`(${shorten(event.arguments)})`)}`);
        }
        break;
      case 'tool-result':
        if (showText) {
          visible();
          const name = terminalSafe(event.name);
          cli.note(event.ok ? `${c.green('←')} ${name} ${c.dim(shorten(event.value))}` : `${c.red('✖')} ${name} failed: ${terminalSafe(String(event.error))}`);
        }
        break;
      case 'error':
        outcome.errors.push({ errorType: event.errorType, message: event.message, stage: event.stage, plugin: event.plugin });
        if (showText && !options.callerReportsFailure) {
          visible();
          closeLine();
          cli.note(`${c.red('error')} ${c.dim(`in ${event.stage} (${terminalSafe(event.plugin)}):`)} ${terminalSafe(event.message)}`);
        }
        break;
      case 'custom':
        if (cli.verbose && showText) cli.note(c.dim(`[${terminalSafe(event.name)}] ${shorten(event.data)}`));
        break;
      case 'done':
        outcome.result = event.result;
        break;
      default:
        break;
    }
  }
  const failed = outcome.result?.status !== 'ok';
  if (showText) {
    const text = outcome.result?.text ?? '';
    // The streamed text may include text from earlier iterations; the final answer is what counts.
    // A failed turn's reply is an apology, not an answer: a caller that reports the failure itself keeps it off stdout.
    if (!(failed && options.callerReportsFailure) && (!streamedText.endsWith(text) || streamedText.length === 0)) {
      visible();
      closeLine();
      if (text) writeText(text);
    }
    closeLine();
  }
  visible();
  return outcome;
}
