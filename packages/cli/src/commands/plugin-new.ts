import { relative, resolve } from 'node:path';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { type GeneratedKind, PLUGIN_KINDS, PLUGIN_NAME, pluginFiles } from '../init/plugin-templates.js';
import { writeGeneratedFiles } from '../write-files.js';

export default async function pluginNew(command: ParsedCommand, cli: CliContext): Promise<number> {
  const name = command.positionals[0]!;
  if (!PLUGIN_NAME.test(name)) throw new UsageError(`"${name}" is not a valid plugin name`, 'use lower-case words joined by dashes, e.g. weather or word-count');
  const kind = (command.values.kind as string | undefined) ?? 'prompt';
  if (!(PLUGIN_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`unknown kind "${kind}"`, `use one of: ${PLUGIN_KINDS.join(', ')} (resource plugins are written by hand; see defineResource)`);
  }
  const directory = resolve(cli.cwd, (command.values.dir as string | undefined) ?? 'plugins');
  const written = await writeGeneratedFiles(directory, pluginFiles(name, kind as GeneratedKind, '.'), cli, command.values.force === true);
  const c = cli.out;
  cli.print(`${c.green('✔')} Created a ${c.bold(kind)} plugin:`);
  for (const path of written) cli.print(`  ${relative(cli.cwd, path)}`);
  cli.print('');
  cli.print(`Register it: in agent.yaml add ${c.cyan(`- ./${relative(cli.cwd, written[0]!)}`)} under plugins (a project without agent.yaml picks up plugins/ by itself).`);
  cli.print(`Check it with ${c.cyan(`entity plugin analyze ${relative(cli.cwd, written[0]!)}`)} and run its test with ${c.cyan('npx vitest run')}.`);
  return EXIT.ok;
}
