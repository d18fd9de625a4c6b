import { ConfigError, type ConfigIssue } from '@entity/core';
import type { DatabaseResilienceOptions } from './database.js';

/** Shortest time budget of one database call: below it, scheduling jitter on a busy machine alone exceeds it. */
export const MIN_TIMEOUT_MS = 100;
/** Longest budget: what Node's timers and PostgreSQL's `statement_timeout` (int4 ms) can hold. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

const RULES: ReadonlyArray<[keyof DatabaseResilienceOptions, number, number, string]> = [
  ['timeoutMs', MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, `a whole number of milliseconds from ${MIN_TIMEOUT_MS} (default 30000)`],
  ['migrationTimeoutMs', MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, `a whole number of milliseconds from ${MIN_TIMEOUT_MS} (default 600000)`],
  ['retries', 0, 10, 'a whole number from 0 to 10 (default 2)'],
  ['failureThreshold', 1, 1000, 'a whole number from 1 to 1000 (default 3)'],
  ['resetTimeoutMs', 1, MAX_TIMEOUT_MS, 'a whole number of milliseconds (default 30000)'],
];

/**
 * Checks the resilience settings when the memory is created. Without this a 0 or NaN budget
 * would silently mean "no timeout" (core's timer ignores it) and a fraction would reach SQL.
 */
export function requireResilienceOptions(options: DatabaseResilienceOptions | undefined): void {
  if (options === undefined) return;
  const issues: ConfigIssue[] = [];
  for (const [name, min, max, expected] of RULES) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      issues.push({ path: `resilience.${name}`, message: `is ${String(value)}`, fix: `use ${expected}` });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
}

/**
 * PostgreSQL's `statement_timeout` for a call budget of `timeoutMs`: a little shorter, so the
 * server cancels a slow statement (and rolls its transaction back) before the client gives up
 * on it. The margin is a fifth of the budget, at most 1 s: 30 s → 29 s, 1 s → 800 ms,
 * 500 ms → 400 ms. (A fixed 1 s margin left budgets under 1.1 s with a 1 ms statement timeout.)
 */
export function statementTimeoutFor(timeoutMs: number): number {
  return Math.max(1, timeoutMs - Math.min(1_000, Math.ceil(timeoutMs / 5)));
}
