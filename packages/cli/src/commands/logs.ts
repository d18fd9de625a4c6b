import { createReadStream, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { locateProjectConfig, readProjectConfig } from '../agent-loader.js';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { DEFAULT_LOG_FILE, LEVELS, logFilesOf, type ParsedLogLine, parseLogLine } from '../logs/log-files.js';
import { terminalSafe, terminalSafeJson } from '../terminal/safe-text.js';
import { positiveInteger } from './run.js';

const TAG_FIELDS = ['component', 'plugin', 'tool', 'resource', 'operation', 'stage'];
const HIDDEN_FIELDS = new Set(['pid', 'hostname', ...TAG_FIELDS]);

function formatLine(entry: ParsedLogLine, cli: CliContext): string {
  const c = cli.out;
  const paint = [c.gray, c.blue, c.green, c.yellow, c.red, c.red][entry.levelIndex] ?? c.green;
  const clock = entry.time ? entry.time.toISOString().slice(11, 23) : '--:--:--.---';
  const tag = TAG_FIELDS.map((key) => entry.fields[key]).filter((value) => value !== undefined).join('/');
  const extras = Object.entries(entry.fields)
    .filter(([key]) => !HIDDEN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/[\s"=]/.test(value) ? value : JSON.stringify(value)}`)
    .join(' ');
  // Log lines carry model output and plugin text: nothing in them may drive the terminal.
  return `${c.dim(clock)} ${paint(terminalSafe(entry.level.toUpperCase()).padEnd(5))}${tag ? ` ${c.cyan(`[${terminalSafe(tag)}]`)}` : ''} ${terminalSafe(entry.message)}${extras ? ` ${c.dim(terminalSafe(extras))}` : ''}`;
}

/** Where the config's logging resource (`type: logging` or `pino`) writes its file output; undefined when it writes none. */
export function configuredLogFile(config: Record<string, unknown>, directory: string): string | undefined {
  const resources = config.resources;
  if (typeof resources !== 'object' || resources === null) return undefined;
  for (const resource of Object.values(resources)) {
    if (typeof resource !== 'object' || resource === null) continue;
    const { type, file } = resource as { type?: unknown; file?: unknown };
    if (type !== 'logging' && type !== 'pino') continue;
    // As @entity/logging reads it: `file: true` is `{}`; the path resolves from the config's folder.
    if (file === true) return resolve(directory, DEFAULT_LOG_FILE);
    if (typeof file !== 'object' || file === null || (file as { enabled?: unknown }).enabled === false) continue;
    const path = (file as { path?: unknown }).path;
    return resolve(directory, typeof path === 'string' && path !== '' ? path : DEFAULT_LOG_FILE);
  }
  return undefined;
}

/** The log base path: --file or ENTITY_LOG_FILE (from the current folder), else the config's, else the default in the config's folder. */
async function logBase(command: ParsedCommand, cli: CliContext): Promise<{ base: string; configured: boolean }> {
  const given = (command.values.file as string | undefined) ?? cli.env.ENTITY_LOG_FILE;
  if (given !== undefined) return { base: resolve(cli.cwd, given), configured: true };
  const project = locateProjectConfig(command.positionals[0], cli);
  const configured = project.path ? configuredLogFile(await readProjectConfig(project.path), project.directory) : undefined;
  return { base: configured ?? resolve(project.directory, DEFAULT_LOG_FILE), configured: configured !== undefined };
}

export default async function logs(command: ParsedCommand, cli: CliContext): Promise<number> {
  const { base, configured } = await logBase(command, cli);
  const shown = relative(cli.cwd, base) || base;
  const count = positiveInteger(command.values.lines, 'lines') ?? 50;
  const levelName = command.values.level as string | undefined;
  if (levelName !== undefined && !(LEVELS as readonly string[]).includes(levelName)) throw new UsageError(`unknown level "${levelName}"`, `use one of: ${LEVELS.join(', ')}`);
  const minimum = levelName ? LEVELS.indexOf(levelName as (typeof LEVELS)[number]) : 0;
  const show = (entry: ParsedLogLine | undefined) => {
    if (!entry || entry.levelIndex < minimum) return;
    cli.print(cli.json ? terminalSafeJson(entry.raw) : formatLine(entry, cli));
  };

  const files = logFilesOf(base, cli.cwd);
  if (files.length === 0 && !command.values.follow) {
    cli.note(cli.err.yellow(`No log files at ${terminalSafe(shown)}.`));
    cli.note(
      cli.err.dim(
        configured
          ? 'Run the agent first: the logging resource writes them as it logs.'
          : 'Turn on the file output of the logging resource (resources: logging: { type: logging, file: true }) and run the agent, or pass --file.',
      ),
    );
    return EXIT.problems;
  }
  // Newest entries last: read files from the newest backwards until enough lines are collected.
  const recent: ParsedLogLine[] = [];
  for (const file of [...files].reverse()) {
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    const entries = lines.map(parseLogLine).filter((entry): entry is ParsedLogLine => entry !== undefined && entry.levelIndex >= minimum);
    recent.unshift(...entries);
    if (recent.length >= count) break;
  }
  for (const entry of recent.slice(-count)) show(entry);
  if (!command.values.follow) return EXIT.ok;

  if (!cli.json) cli.note(cli.err.dim(`following ${terminalSafe(relative(cli.cwd, files.at(-1) ?? base) || base)} — Ctrl-C to stop`));
  await follow(base, cli, show);
  return EXIT.ok;
}

/** Polls the newest file for appended lines; moves on when a newer file appears (rotation). */
async function follow(base: string, cli: CliContext, show: (entry: ParsedLogLine | undefined) => void): Promise<void> {
  let current = logFilesOf(base, cli.cwd).at(-1);
  let offset = current ? statSync(current).size : 0;
  let partial = '';
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  while (!stopped) {
    const newest = logFilesOf(base, cli.cwd).at(-1);
    if (newest && newest !== current) {
      if (current) await readFrom(current, offset);
      current = newest;
      offset = 0;
      partial = '';
    }
    if (current) await readFrom(current, offset);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  async function readFrom(file: string, from: number): Promise<void> {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return;
    }
    if (size < from) offset = from = 0;
    if (size === from) return;
    const chunk = await new Promise<string>((resolve, reject) => {
      let text = '';
      createReadStream(file, { start: from, end: size - 1, encoding: 'utf8' })
        .on('data', (data) => (text += data))
        .on('end', () => resolve(text))
        .on('error', reject);
    });
    offset = size;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line) show(parseLogLine(line));
  }
}
