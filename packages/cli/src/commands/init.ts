import { existsSync, readdirSync } from 'node:fs';
import { basename, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { fileSpecifier, readLocalPackages } from '../init/local-packages.js';
import { LLM_CHOICES, type LlmChoice, MEMORY_CHOICES, type MemoryChoice, type ProjectChoices, projectFiles } from '../init/project-templates.js';
import { shellQuote } from '../init/shell-quote.js';
import { writeGeneratedFiles } from '../write-files.js';

const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

function pick<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of: ${allowed.join(', ')}; got "${value}"`);
  return value as T;
}

async function ask(cli: CliContext, defaults: ProjectChoices, given: Partial<ProjectChoices>): Promise<ProjectChoices> {
  const prompt = createInterface({ input: cli.stdin, output: cli.stdout, terminal: true });
  const c = cli.out;
  const question = async <T extends string>(text: string, fallback: T, allowed?: readonly T[]): Promise<T> => {
    for (;;) {
      const answer = (await prompt.question(`${c.cyan('?')} ${text} ${c.dim(`(${allowed ? allowed.join('/') : fallback})`)} `)).trim();
      if (answer === '') return fallback;
      if (!allowed || (allowed as readonly string[]).includes(answer)) return answer as T;
      cli.print(c.yellow(`  choose one of: ${allowed.join(', ')}`));
    }
  };
  try {
    const name = given.name ?? (await question('Project name', defaults.name));
    const llm = given.llm ?? (await question<LlmChoice>('Model provider', defaults.llm, LLM_CHOICES));
    const memory = given.memory ?? (await question<MemoryChoice>('Memory', defaults.memory, MEMORY_CHOICES));
    const storage = given.storage ?? (await question('Add file storage? y/N', 'n', ['y', 'n', 'Y', 'N'])).toLowerCase() === 'y';
    return { name, llm, memory, storage };
  } finally {
    prompt.close();
  }
}

/**
 * `file:` specifiers for the @entity/* packages the project needs, from `--packages <folder>` or
 * ENTITY_PACKAGES (a folder of tarballs `pnpm release:pack` wrote), so a project can be tried
 * before the packages are on a registry. Undefined without either: the project uses registry ranges.
 */
function entityTarballs(cli: CliContext, flag: string | undefined, target: string, choices: ProjectChoices): Map<string, string> | undefined {
  const given = flag ?? cli.env.ENTITY_PACKAGES;
  if (given === undefined || given === '') return undefined;
  const folder = resolve(cli.cwd, given);
  const found = readLocalPackages(folder);
  const needed = ['@entity/core', '@entity/resources-llm', '@entity/cli'];
  if (choices.memory !== 'none') needed.push('@entity/resources-memory');
  if (choices.storage) needed.push('@entity/resources-storage');
  const missing = needed.filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new UsageError(`${flag === undefined ? 'ENTITY_PACKAGES' : '--packages'}: ${folder} has no tarball of ${missing.join(', ')}`, 'run `pnpm release:pack` in the Entity clone again; it packs every public package');
  }
  return new Map(needed.map((name) => [name, fileSpecifier(target, found.get(name)!.tarball)]));
}

export default async function init(command: ParsedCommand, cli: CliContext): Promise<number> {
  const target = resolve(cli.cwd, command.positionals[0] ?? '.');
  const values = command.values;
  const given: Partial<ProjectChoices> = {
    ...(values.name ? { name: values.name as string } : {}),
    ...(values.llm ? { llm: pick(values.llm as string, LLM_CHOICES, 'llm')! } : {}),
    ...(values.memory ? { memory: pick(values.memory as string, MEMORY_CHOICES, 'memory')! } : {}),
    ...(values.storage ? { storage: true } : {}),
  };
  const defaults: ProjectChoices = {
    name: basename(target).toLowerCase().replace(/[^a-z0-9-._~]/g, '-').replace(/^[-._]+/, '') || 'my-agent',
    llm: 'ollama',
    memory: 'pglite',
    storage: false,
  };
  if (existsSync(target) && readdirSync(target).filter((name) => name !== '.git').length > 0 && values.force !== true) {
    throw new UsageError(`${relative(cli.cwd, target) || '.'} is not empty`, 'choose a new directory, or pass --force to add the files anyway (existing files are not overwritten)');
  }
  const interactive = values.yes !== true && cli.stdin.isTTY === true && !cli.json;
  const choices = interactive ? await ask(cli, defaults, given) : { ...defaults, ...given };
  if (!PACKAGE_NAME.test(choices.name)) throw new UsageError(`"${choices.name}" is not a valid package name`, 'use lower-case letters, digits and dashes');
  const localPackages = entityTarballs(cli, values.packages as string | undefined, target, choices);
  const files = projectFiles(choices, localPackages).filter((file) => values.force !== true || !existsSync(resolve(target, file.path)));
  const written = await writeGeneratedFiles(target, files, cli);
  const c = cli.out;
  const relativeTarget = relative(cli.cwd, target) || '.';
  const where = relativeTarget.startsWith('..') ? target : relativeTarget;
  cli.print(`${c.green('✔')} Created ${c.bold(choices.name)} in ${where} ${c.dim(`(${choices.llm}, memory: ${choices.memory}${choices.storage ? ', storage' : ''})`)}`);
  for (const path of written) cli.print(`  ${c.dim(relative(target, path))}`);
  cli.print('');
  cli.print(c.bold('Next:'));
  if (where !== '.') cli.print(`  cd ${shellQuote(where)}`);
  cli.print('  pnpm install');
  if (choices.llm === 'ollama') cli.print(`  ollama pull llama3.2:3b   ${c.dim('# or set OPENAI_API_KEY / ANTHROPIC_API_KEY')}`);
  else cli.print(`  cp .env.example .env      ${c.dim(`# and add your ${choices.llm === 'openai' ? 'OPENAI_API_KEY' : 'ANTHROPIC_API_KEY'}`)}`);
  cli.print(`  pnpm chat                 ${c.dim('# talk to your agent')}`);
  cli.print(`  pnpm test                 ${c.dim('# run its tests')}`);
  return EXIT.ok;
}
