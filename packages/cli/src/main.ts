import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type CliContext, type CliContextOptions, createCliContext } from './cli-context.js';
import { COMMANDS, type CommandSpec, GLOBAL_OPTIONS, type ParsedCommand } from './command-table.js';
import { EXIT, UsageError } from './exit-codes.js';
import { reportError } from './format-error.js';
import { commandHelp, mainHelp } from './help.js';

export function cliVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return manifest.version;
}

function findCommand(args: readonly string[]): { spec: CommandSpec; rest: string[] } | undefined {
  const [first, second] = args;
  const two = COMMANDS.find((command) => command.name === `${first} ${second}`);
  if (two) return { spec: two, rest: args.slice(2) };
  const one = COMMANDS.find((command) => command.name === first);
  return one ? { spec: one, rest: args.slice(1) } : undefined;
}

function suggestion(word: string): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length]!;
  };
  const names = [...new Set(COMMANDS.map((command) => command.name.split(' ')[0]!))];
  const best = names.map((name) => ({ name, score: distance(word, name) })).sort((a, b) => a.score - b.score)[0];
  return best && best.score <= 2 ? best.name : undefined;
}

function parseCommand(spec: CommandSpec, args: string[]): ParsedCommand {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...spec.options, ...GLOBAL_OPTIONS }, allowPositionals: true, strict: true });
    return { values: values as ParsedCommand['values'], positionals };
  } catch (error) {
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(message, `usage: ${spec.usage} — see \`entity ${spec.name} --help\``);
  }
}

/** Light pre-scan of global flags, so errors before parsing still respect --json and --no-color. */
function globalFlags(args: readonly string[]): Pick<CliContextOptions, 'json' | 'verbose' | 'color'> {
  const has = (flag: string) => args.includes(flag);
  return {
    json: has('--json'),
    verbose: has('--verbose'),
    ...(has('--no-color') ? { color: false } : has('--color') ? { color: true } : {}),
  };
}

/**
 * Runs the `entity` command with `args` (without `node` and the script) and returns the exit code.
 * Commands load lazily: `entity --help` imports no command module and not `@entity/core`.
 */
export async function runCli(args: readonly string[], options: CliContextOptions = {}): Promise<number> {
  let cli: CliContext = createCliContext({ ...options, ...globalFlags(args) });
  try {
    const first = args[0];
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' && args[1] ? findCommand(args.slice(1)) : undefined;
      cli.print(topic ? commandHelp(topic.spec, cli) : mainHelp(cli, cliVersion()));
      return first === undefined ? EXIT.usage : EXIT.ok;
    }
    if (first === '--version' || first === '-v' || first === 'version') {
      cli.print(cliVersion());
      return EXIT.ok;
    }
    const found = findCommand(args);
    if (!found) {
      if (first === 'plugin') {
        throw new UsageError(args[1] ? `unknown plugin command "${args[1]}"` : 'plugin needs a sub-command', 'usage: entity plugin new <name> --kind <kind> | entity plugin analyze <file>');
      }
      if (first === 'keys') {
        throw new UsageError(args[1] ? `unknown keys command "${args[1]}"` : 'keys needs a sub-command', 'usage: entity keys create --role <role> --user <id> | entity keys list | entity keys revoke <id>');
      }
      const near = first.startsWith('-') ? undefined : suggestion(first);
      throw new UsageError(`unknown command "${first}"${near ? ` — did you mean "${near}"?` : ''}`, 'run `entity --help` for the list of commands');
    }
    const { spec, rest } = found;
    const parsed = parseCommand(spec, rest);
    const flags = parsed.values;
    cli = createCliContext({
      ...options,
      json: flags.json === true,
      verbose: flags.verbose === true,
      ...(flags['no-color'] ? { color: false } : flags.color ? { color: true } : {}),
    });
    if (flags.help) {
      cli.print(commandHelp(spec, cli));
      return EXIT.ok;
    }
    if (flags.json && !spec.json) throw new UsageError(`--json is not supported by "entity ${spec.name}"`);
    const [min, max] = spec.positionals;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      const what = parsed.positionals.length < min ? 'missing argument' : `unexpected argument "${parsed.positionals[max]}"`;
      throw new UsageError(what, `usage: ${spec.usage} — see \`entity ${spec.name} --help\``);
    }
    const handler = (await spec.load()).default;
    return await handler(parsed, cli);
  } catch (error) {
    return reportError(error, cli);
  }
}
