import type { CliContext } from './cli-context.js';
import { COMMANDS, type CommandSpec, GLOBAL_OPTIONS, type OptionSpec } from './command-table.js';

function flagLabel(name: string, option: OptionSpec): string {
  const short = option.short ? `-${option.short}, ` : '    ';
  return `${short}--${name}${option.valueName ? ` <${option.valueName}>` : ''}`;
}

function optionLines(options: Record<string, OptionSpec>, cli: CliContext): string[] {
  const entries = Object.entries(options);
  const width = Math.max(...entries.map(([name, option]) => flagLabel(name, option).length));
  return entries.map(([name, option]) => `  ${cli.out.cyan(flagLabel(name, option).padEnd(width))}  ${option.description}`);
}

/** `entity --help`: every command with one line each. */
export function mainHelp(cli: CliContext, version: string): string {
  const c = cli.out;
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = [
    `${c.bold('entity')} ${c.dim(version)} — build, run and inspect AI agents made of small typed plugins`,
    '',
    `${c.bold('Usage:')} entity <command> [options]`,
    '',
    c.bold('Commands:'),
    ...COMMANDS.map((command) => `  ${c.cyan(command.name.padEnd(width))}  ${command.summary}${command.json ? c.dim(' [json]') : ''}`),
    '',
    c.bold('Global options:'),
    ...optionLines({ ...GLOBAL_OPTIONS, version: { type: 'boolean', short: 'v', description: 'print the version' } }, cli),
    '',
    c.bold('Exit codes:'),
    '  0 success · 1 problems found or the run failed · 2 usage or configuration error · 130 interrupted',
    '',
    `Run ${c.cyan('entity <command> --help')} for a command's options. New here? ${c.cyan('entity init my-agent')}`,
  ];
  return lines.join('\n');
}

/** `entity <command> --help`. */
export function commandHelp(command: CommandSpec, cli: CliContext): string {
  const c = cli.out;
  const lines = [`${c.bold('Usage:')} ${command.usage} [options]`, '', `${command.summary}.`];
  if (command.description) lines.push('', command.description);
  const options = Object.keys(command.options).length > 0 ? command.options : undefined;
  if (options) lines.push('', c.bold('Options:'), ...optionLines(options, cli));
  const globals = { ...GLOBAL_OPTIONS };
  if (!command.json) delete globals.json;
  lines.push('', c.bold('Global options:'), ...optionLines(globals, cli));
  if (command.examples?.length) lines.push('', c.bold('Examples:'), ...command.examples.map((example) => `  ${c.dim('$')} ${example}`));
  return lines.join('\n');
}
