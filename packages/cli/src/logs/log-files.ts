import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';

export const DEFAULT_LOG_FILE = './.entity/logs/entity.jsonl';

/**
 * The rotated files of a log base path (`entity.jsonl` → `entity.2025-01-31.1.jsonl`, as
 * @entity/logging writes them), oldest first; the base file itself counts too when present.
 */
export function logFilesOf(basePath: string, cwd: string): string[] {
  const path = resolve(cwd, basePath);
  const directory = dirname(path);
  if (!existsSync(directory)) return [];
  const extension = extname(path) || '.jsonl';
  const stem = basename(path, extname(path));
  const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${escapeRegExp(stem)}\\.(\\d{4}-\\d{2}-\\d{2})\\.(\\d+)${escapeRegExp(extension)}$`);
  const rotated = readdirSync(directory)
    .map((name) => ({ name, match: pattern.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .sort((a, b) => a.match[1]!.localeCompare(b.match[1]!) || Number(a.match[2]) - Number(b.match[2]))
    .map((entry) => join(directory, entry.name));
  return existsSync(path) ? [path, ...rotated] : rotated;
}

export const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const NUMERIC: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

export interface ParsedLogLine {
  level: string;
  levelIndex: number;
  time: Date | undefined;
  message: string;
  fields: Record<string, unknown>;
  raw: string;
}

/** Reads one JSON line (pino's shape: level, time, msg, fields); undefined for lines that are not JSON objects. */
export function parseLogLine(line: string): ParsedLogLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { level, time, msg, message, ...fields } = value as Record<string, unknown>;
  const levelName = typeof level === 'number' ? (NUMERIC[level] ?? 'info') : typeof level === 'string' ? level : 'info';
  const date = typeof time === 'string' || typeof time === 'number' ? new Date(time) : undefined;
  return {
    level: levelName,
    levelIndex: Math.max(0, LEVELS.indexOf(levelName as (typeof LEVELS)[number])),
    time: date && !Number.isNaN(date.getTime()) ? date : undefined,
    message: typeof msg === 'string' ? msg : typeof message === 'string' ? message : '',
    fields,
    raw: line,
  };
}
