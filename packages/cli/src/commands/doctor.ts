import { dirname, resolve } from 'node:path';
import { applyProjectEnv, findConfigFile } from '../agent-loader.js';
import type { CliContext } from '../cli-context.js';
import type { ParsedCommand } from '../command-table.js';
import type { CheckResult, DoctorSettings } from '../doctor/check.js';
import { checkConfiguredModel } from '../doctor/configured-model-check.js';
import { checkDatabase } from '../doctor/database-check.js';
import { checkModelAvailable, checkOllama, normaliseOllamaHost } from '../doctor/ollama-check.js';
import { checkApiKeys, checkNode, checkWritable } from '../doctor/system-checks.js';
import { EXIT } from '../exit-codes.js';
import { findPackageManifest } from '../project-packages.js';
import { terminalSafe } from '../terminal/safe-text.js';
import { startSpinner } from '../terminal/spinner.js';

function checkPackages(settings: DoctorSettings): CheckResult {
  const wanted = ['@entity/core', '@entity/resources-llm', '@entity/resources-memory', '@entity/resources-storage'];
  const installed = wanted.filter((name) => findPackageManifest(name, settings.cwd) !== undefined);
  const missing = wanted.filter((name) => !installed.includes(name));
  if (!installed.includes('@entity/core')) {
    return { id: 'packages', title: 'Entity packages', status: 'warn', message: '@entity/core is not installed here', fix: 'run `entity init` for a new project, or pnpm add @entity/core', details: { installed, missing } };
  }
  if (!installed.includes('@entity/resources-llm')) {
    return { id: 'packages', title: 'Entity packages', status: 'warn', message: `installed: ${installed.join(', ')}`, fix: 'the zero-config model needs it: pnpm add @entity/resources-llm', details: { installed, missing } };
  }
  return { id: 'packages', title: 'Entity packages', status: 'ok', message: `installed: ${installed.join(', ')}`, details: { installed, missing } };
}

async function checkConfig(file: string | undefined): Promise<CheckResult> {
  if (!file) return { id: 'config', title: 'Agent config', status: 'skip', message: 'no agent.yaml here' };
  try {
    const { validateConfig } = await import('@entity/core');
    const report = await validateConfig(file);
    return report.ok
      ? { id: 'config', title: 'Agent config', status: 'ok', message: `${file} is valid` }
      : { id: 'config', title: 'Agent config', status: 'fail', message: `${report.issues.length} problem(s) in ${file}: ${report.issues[0]!.path || '(root)'}: ${report.issues[0]!.message}`, fix: 'run `entity validate` for the full list with fixes' };
  } catch (error) {
    return { id: 'config', title: 'Agent config', status: 'warn', message: `could not check ${file}: ${(error as Error).message}`, fix: 'install @entity/core in this project' };
  }
}

const ICONS = { ok: '✔', warn: '⚠', fail: '✖', skip: '○' } as const;

export default async function doctor(command: ParsedCommand, cli: CliContext): Promise<number> {
  // The project's `.env` counts, as for `entity run`: the key, OLLAMA_HOST or DATABASE_URL may be there.
  const configFile = findConfigFile(cli.cwd);
  if (configFile) applyProjectEnv(dirname(configFile), cli.env);
  const settings: DoctorSettings = {
    cwd: cli.cwd,
    env: cli.env,
    ollamaHost: normaliseOllamaHost((command.values['ollama-host'] as string | undefined) ?? cli.env.OLLAMA_HOST),
    databaseUrl: (command.values['database-url'] as string | undefined) ?? cli.env.DATABASE_URL,
    storageDir: resolve(cli.cwd, (command.values['storage-dir'] as string | undefined) ?? cli.env.ENTITY_STORAGE_DIR ?? 'agent_files'),
    memoryDir: resolve(cli.cwd, (command.values['memory-dir'] as string | undefined) ?? '.entity'),
    timeoutMs: Number(cli.env.ENTITY_DOCTOR_TIMEOUT_MS ?? 2000) || 2000,
  };
  const spinner = startSpinner(cli.stderr, cli.err, 'Checking your setup…');
  const [ollama, database, storage, memory, config, configuredModel] = await Promise.all([
    checkOllama(settings),
    checkDatabase(settings),
    checkWritable('storage', 'File storage', settings.storageDir, settings, 'storage (--storage-dir)'),
    checkWritable('memory-dir', 'Embedded memory folder', settings.memoryDir, settings, 'memory (--memory-dir)'),
    checkConfig(configFile),
    configFile
      ? checkConfiguredModel(configFile, settings).catch((error: Error): CheckResult => ({ id: 'model', title: 'Language model', status: 'fail', message: `could not check the configured model: ${error.message}`, fix: 'run `entity validate` for the config\'s problems' }))
      : undefined,
  ]).finally(() => spinner.stop());
  const { chatModels: _models, ...ollamaResult } = ollama;
  const checks: CheckResult[] = [
    checkNode(),
    checkPackages(settings),
    ollamaResult,
    checkApiKeys(settings),
    // The model the config names is the one the agent uses; only without one does detection matter.
    configuredModel ?? checkModelAvailable(ollama, settings),
    database,
    memory,
    storage,
    config,
  ];
  const failed = checks.filter((check) => check.status === 'fail');
  if (cli.json) {
    cli.printJson({ ok: failed.length === 0, checks });
    return failed.length === 0 ? EXIT.ok : EXIT.problems;
  }
  const c = cli.out;
  const paint = { ok: c.green, warn: c.yellow, fail: c.red, skip: c.dim } as const;
  const width = Math.max(...checks.map((check) => check.title.length));
  for (const check of checks) {
    // Messages carry what servers answered (Ollama's model names, error text): never raw to the terminal.
    const message = terminalSafe(check.message);
    cli.print(`${paint[check.status](ICONS[check.status])} ${c.bold(check.title.padEnd(width))}  ${check.status === 'skip' ? c.dim(message) : message}`);
    if (check.fix && (check.status === 'fail' || check.status === 'warn')) cli.print(`  ${' '.repeat(width)}  ${c.cyan('→')} ${terminalSafe(check.fix)}`);
  }
  cli.print('');
  const warnings = checks.filter((check) => check.status === 'warn').length;
  cli.print(
    failed.length === 0
      ? c.green(`All required checks passed${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}.`)
      : c.red(`${failed.length} check${failed.length === 1 ? '' : 's'} failed: ${failed.map((check) => check.id).join(', ')}.`),
  );
  return failed.length === 0 ? EXIT.ok : EXIT.problems;
}
