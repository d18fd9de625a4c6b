import { basename, dirname } from 'node:path';
import type { ValidationReport } from '@entity/core';
import { applyProjectEnv, CONFIG_MODULE_NAMES, findConfigFile, findConfigModule, isConfigModule, loadConfigModule, resolveAgentSource } from '../agent-loader.js';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { checkServerSection, checkServerValue } from '../server-section.js';
import { formatIssues } from '../format-error.js';
import { terminalSafe } from '../terminal/safe-text.js';
import { startSpinner } from '../terminal/spinner.js';

const PHASES = ['structure', 'graph', 'runtime'] as const;

export default async function validate(command: ParsedCommand, cli: CliContext): Promise<number> {
  const source = resolveAgentSource(command.positionals[0], cli);
  let file = source.path;
  if (source.kind === 'directory') {
    const found = findConfigFile(source.path) ?? findConfigModule(source.path);
    if (!found) throw new UsageError(`no agent.yaml (or ${CONFIG_MODULE_NAMES.join(', ')}) in ${source.path}`, 'pass the config file, or run `entity init` to create one');
    file = found;
  } else if (source.kind === 'module' && !isConfigModule(source.path)) {
    throw new UsageError(
      `validate checks configs: YAML, JSON, or a module named ${CONFIG_MODULE_NAMES.join(', ')} exporting the config object; ${basename(source.path)} is checked by running it`,
      'rename the module if it exports a config, or try `entity graph <module>` to see what it registers',
    );
  }
  const runtime = command.values.runtime === true;
  const spinner = startSpinner(cli.stderr, cli.err, runtime ? 'Validating (starting resources for the runtime checks)…' : 'Validating…');
  const { validateConfig } = await import('@entity/core');
  applyProjectEnv(dirname(file));
  if (isConfigModule(file)) {
    // A config written as code: the same checks on the object it exports, paths relative to its folder.
    const config = await loadConfigModule(file).catch((error: unknown) => {
      spinner.stop();
      throw error;
    });
    const report = await validateConfig(config, { runtime, baseDir: dirname(file), environment: cli.env }).finally(() => spinner.stop());
    await checkServerValue(config.server, report, cli);
    return printReport(file, report, runtime, cli);
  }
  const report = await validateConfig(file, { runtime }).finally(() => spinner.stop());
  await checkServerSection(file, report, cli);
  return printReport(file, report, runtime, cli);
}

function printReport(file: string, report: ValidationReport, runtime: boolean, cli: CliContext): number {
  const ran = PHASES.filter((phase) => report.timings[phase] !== undefined);
  if (cli.json) {
    cli.printJson({ ok: report.ok, file, phases: ran, issues: report.issues, warnings: report.warnings, timings: report.timings });
    return report.ok ? EXIT.ok : EXIT.problems;
  }
  const c = cli.out;
  const phaseLine = PHASES.map((phase) => {
    if (report.timings[phase] === undefined) return c.dim(`${phase}: ${phase === 'runtime' && !runtime ? 'skipped (use --runtime)' : 'not reached'}`);
    const failed = report.issues.some((issue) => issue.phase === phase);
    return `${failed ? c.red('✖') : c.green('✔')} ${phase} ${c.dim(`${report.timings[phase]} ms`)}`;
  });
  cli.print(`${c.bold(terminalSafe(file))}`);
  for (const line of phaseLine) cli.print(`  ${line}`);
  for (const warning of report.warnings) cli.print(`  ${c.yellow('⚠')} ${terminalSafe(warning)}`);
  if (report.ok) {
    cli.print(c.green('Valid.'));
    return EXIT.ok;
  }
  cli.print('');
  cli.print(c.red(`${report.issues.length} problem${report.issues.length === 1 ? '' : 's'}:`));
  for (const line of formatIssues(report.issues, { ...cli, err: cli.out })) cli.print(line);
  return EXIT.problems;
}
