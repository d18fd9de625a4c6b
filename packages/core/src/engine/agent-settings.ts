import { ConfigError } from '../errors/index.js';
import type { EngineSettings } from './runtime.js';

const NUMERIC_SETTINGS = ['maxIterations', 'runTimeoutMs', 'toolTimeoutMs', 'toolConcurrency', 'historyLimit', 'stopTimeoutMs', 'errorTimeoutMs'] as const;

/** Refuses every numeric setting that is not a whole number >= 1, naming each with its fix. */
export function checkSettings(settings: Partial<EngineSettings>): void {
  const issues = NUMERIC_SETTINGS.filter((key) => settings[key] !== undefined && !(Number.isInteger(settings[key]) && settings[key]! >= 1)).map((key) => ({
    path: key,
    message: `must be a positive integer; got ${String(settings[key])}`,
    fix: `set ${key} to a whole number >= 1`,
  }));
  if (issues.length > 0) throw new ConfigError(issues);
}

/** Checks `settings`, then copies the ones given onto `target` (nothing is copied when one is bad). */
export function applySettings(target: EngineSettings, settings: Partial<EngineSettings>): void {
  checkSettings(settings);
  for (const key of NUMERIC_SETTINGS) {
    if (settings[key] !== undefined) target[key] = settings[key];
  }
  if ('instructions' in settings) target.instructions = settings.instructions;
}
