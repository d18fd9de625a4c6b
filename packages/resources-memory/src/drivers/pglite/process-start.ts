import { readFileSync } from 'node:fs';

/**
 * When this process started, the same in every thread of it and different for a later process
 * that reuses its pid. Linux: the start time in clock ticks since boot from /proc (exact).
 * Elsewhere: the wall-clock millisecond of the start (`t<ms>`), compared with a tolerance
 * because each thread computes it from the clock and the process uptime.
 */
function computeProcessStart(): string {
  try {
    // Field 22 of /proc/self/stat; the command name (field 2) may hold spaces, so count after its ")".
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    if (ticks && /^\d+$/.test(ticks)) return `k${ticks}`;
  } catch {
    // Not Linux: use the clock below.
  }
  return `t${Math.round(Date.now() - process.uptime() * 1000)}`;
}

let cached: string | undefined;

/** This process's start, as written into lock files. */
export function processStart(): string {
  cached ??= computeProcessStart();
  return cached;
}

/** Whether a start read from a lock file is this process's. */
export function sameProcessStart(start: string): boolean {
  const own = processStart();
  if (own.startsWith('t') && start.startsWith('t')) return Math.abs(Number(own.slice(1)) - Number(start.slice(1))) < 1_000;
  return own === start;
}
