import type { LogLevel } from '@entity/core';
import type { LogEntry } from './log-output.js';
import { stripTerminalControls } from './terminal-text.js';

const ESCAPE = '\u001b[';
const paint = (code: string, text: string) => `${ESCAPE}${code}m${text}${ESCAPE}0m`;

const LEVEL_COLOURS: Readonly<Record<LogLevel, string>> = {
  trace: '90',
  debug: '34',
  info: '32',
  warn: '33',
  error: '31',
  fatal: '41;97',
};

/** Fields shown in the bracketed origin tag rather than as `key=value`. */
const TAG_FIELDS = new Set(['component', 'plugin', 'tool', 'resource', 'operation', 'stage', 'iteration']);
const MAX_VALUE_LENGTH = 200;

const pad2 = (value: number) => (value < 10 ? `0${value}` : String(value));
const pad3 = (value: number) => (value < 10 ? `00${value}` : value < 100 ? `0${value}` : String(value));

const clock = (time: number): string => {
  const date = new Date(time);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}.${pad3(date.getMilliseconds())}`;
};

const renderValue = (value: unknown): string => {
  let text: string;
  if (typeof value === 'string') text = /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  else if (typeof value === 'number' || typeof value === 'boolean' || value === null) text = String(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = '[Unserialisable]';
    }
  }
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH)}…` : text;
};

/**
 * One human-readable line: `12:04:05.123 INFO  [plugin entity:think THINK#1] message key=value`.
 * Error stacks follow on indented lines. Colours only when `colours` is true. Terminal control
 * sequences and characters in the entry (other than newline and tab) are removed.
 */
export function formatConsoleLine(entry: LogEntry, colours: boolean): string {
  const fields = entry.fields === undefined ? entry.bindings : { ...entry.bindings, ...entry.fields };
  const level = entry.level.toUpperCase().padEnd(5);
  const tagParts: string[] = [];
  const component = fields.component;
  if (typeof component === 'string') tagParts.push(component);
  for (const key of ['plugin', 'tool', 'resource'] as const) {
    const name = fields[key];
    if (typeof name === 'string') tagParts.push(typeof fields.operation === 'string' && key === 'resource' ? `${name}.${fields.operation}` : name);
  }
  if (typeof fields.stage === 'string') tagParts.push(fields.iteration === undefined ? fields.stage : `${fields.stage}#${String(fields.iteration)}`);
  const pairs: string[] = [];
  let stack: string | undefined;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (TAG_FIELDS.has(key) || value === undefined) continue;
    if ((key === 'err' || key === 'error') && typeof value === 'object' && value !== null) {
      const error = value as { type?: unknown; message?: unknown; stack?: unknown };
      pairs.push(`${key}=${renderValue(`${String(error.type ?? 'Error')}: ${String(error.message ?? '')}`)}`);
      if (typeof error.stack === 'string') stack = error.stack;
      continue;
    }
    pairs.push(`${key}=${renderValue(value)}`);
  }
  // Everything but our own colours comes from outside (model output, tool results, plugin text).
  const tag = tagParts.length > 0 ? stripTerminalControls(`[${tagParts.join(' ')}] `) : '';
  const message = stripTerminalControls(entry.message);
  const rest = pairs.length > 0 ? stripTerminalControls(` ${pairs.join(' ')}`) : '';
  const stackLines = stack === undefined ? '' : stripTerminalControls(`\n    ${stack.split('\n').slice(1).map((line) => line.trim()).join('\n    ')}`);
  if (!colours) return `${clock(entry.time)} ${level} ${tag}${message}${rest}${stackLines}\n`;
  return `${paint('90', clock(entry.time))} ${paint(LEVEL_COLOURS[entry.level], level)} ${tag ? paint('36', tag) : ''}${message}${rest ? paint('90', rest) : ''}${stackLines ? paint('90', stackLines) : ''}\n`;
}
