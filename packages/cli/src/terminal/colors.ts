import type { Writable } from 'node:stream';

/** The styles the CLI uses; each wraps text in ANSI codes when colour is on, and returns it unchanged when off. */
export interface Colors {
  readonly enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  blue(text: string): string;
  magenta(text: string): string;
  cyan(text: string): string;
  gray(text: string): string;
}

const style = (open: number, close: number) => (text: string) => `\u001B[${open}m${text}\u001B[${close}m`;
const identity = (text: string) => text;

/**
 * Whether to colour output written to `stream`. Follows the conventions other CLIs use:
 * `--no-color` and `NO_COLOR` turn colour off, `FORCE_COLOR` (not `0`) turns it on, otherwise
 * colour only when the stream is a terminal and `TERM` is not `dumb`.
 */
export function shouldColor(stream: Writable & { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env, flag?: boolean): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (flag === true) return true;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function createColors(enabled: boolean): Colors {
  const pick = (open: number, close: number) => (enabled ? style(open, close) : identity);
  return {
    enabled,
    bold: pick(1, 22),
    dim: pick(2, 22),
    red: pick(31, 39),
    green: pick(32, 39),
    yellow: pick(33, 39),
    blue: pick(34, 39),
    magenta: pick(35, 39),
    cyan: pick(36, 39),
    gray: pick(90, 39),
  };
}
