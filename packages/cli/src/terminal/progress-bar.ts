import type { Writable } from 'node:stream';
import type { Colors } from './colors.js';
import { terminalSafe } from './safe-text.js';

export interface ProgressBar {
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

const WIDTH = 24;

/**
 * A one-line progress bar redrawn in place, only on a terminal (in a pipe or a log file it writes
 * nothing, so output stays clean); cleared when stopped.
 */
export function startProgressBar(stream: Writable & { isTTY?: boolean; columns?: number }, colors: Colors, title: string): ProgressBar {
  if (stream.isTTY !== true) return { update() {}, stop() {} };
  let shown = false;
  return {
    update(done, total, label = '') {
      const ratio = total === 0 ? 1 : Math.min(1, done / total);
      const filled = Math.round(ratio * WIDTH);
      const bar = `${colors.cyan('█'.repeat(filled))}${'░'.repeat(WIDTH - filled)}`;
      const head = `${title} ${bar} ${done}/${total}`;
      const room = Math.max(0, (stream.columns ?? 80) - head.length + colors.cyan('').length - 2);
      const safeLabel = terminalSafe(label);
      const tail = safeLabel.length > room ? `…${safeLabel.slice(safeLabel.length - room + 1)}` : safeLabel;
      stream.write(`\r\u001B[2K${head} ${room > 0 ? tail : ''}`);
      shown = true;
    },
    stop() {
      if (shown) stream.write('\r\u001B[2K');
      shown = false;
    },
  };
}
