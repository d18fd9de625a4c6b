import type { Writable } from 'node:stream';
import type { Colors } from './colors.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A progress indicator shown only after `delayMs` and only on a terminal; clears its line when stopped. */
export interface Spinner {
  update(text: string): void;
  stop(): void;
}

export interface SpinnerOptions {
  /** Show nothing for operations faster than this. Default: 1000 ms (the issue: "anything that takes over a second"). */
  delayMs?: number;
  /** Frame interval. Default: 80 ms. */
  intervalMs?: number;
}

export function startSpinner(stream: Writable & { isTTY?: boolean }, colors: Colors, text: string, options: SpinnerOptions = {}): Spinner {
  if (stream.isTTY !== true) return { update() {}, stop() {} };
  let label = text;
  let frame = 0;
  let shown = false;
  let interval: NodeJS.Timeout | undefined;
  const draw = () => {
    shown = true;
    stream.write(`\r\u001B[2K${colors.cyan(FRAMES[frame++ % FRAMES.length]!)} ${label}`);
  };
  const delay = setTimeout(() => {
    draw();
    interval = setInterval(draw, options.intervalMs ?? 80);
    interval.unref();
  }, options.delayMs ?? 1000);
  delay.unref();
  return {
    update(next) {
      label = next;
    },
    stop() {
      clearTimeout(delay);
      if (interval) clearInterval(interval);
      if (shown) stream.write('\r\u001B[2K');
      shown = false;
    },
  };
}
