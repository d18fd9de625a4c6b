import type { CliContext } from './cli-context.js';
import { EXIT, UsageError } from './exit-codes.js';
import { terminalSafe } from './terminal/safe-text.js';

interface Issue {
  path: string;
  message: string;
  fix: string;
  phase?: string;
}

// Error kinds are recognised by core's Symbol.for markers, so formatting an error never loads core
// (and works across duplicate installs of it).
const isKind = (error: unknown, kind: string): boolean =>
  typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[Symbol.for(`entity.error.${kind}`)] === true;

/** Exit code for an error thrown by a command: 2 for usage and configuration problems, 1 otherwise. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || isKind(error, 'ConfigError') || isKind(error, 'MissingPackageError')) return EXIT.usage;
  if (isKind(error, 'CancelledError')) return EXIT.interrupted;
  return EXIT.problems;
}

/** One line per issue: path, message and the fix. */
export function formatIssues(issues: readonly Issue[], cli: CliContext): string[] {
  const c = cli.err;
  return issues.map((issue) => {
    // Issues quote the config's own values (a type, a path), which may hold control characters.
    const where = c.bold(terminalSafe(issue.path || '(root)'));
    const phase = issue.phase ? c.gray(` [${terminalSafe(issue.phase)}]`) : '';
    return `  ${c.red('✖')} ${where}${phase}: ${terminalSafe(issue.message)}\n    ${c.cyan('fix:')} ${terminalSafe(issue.fix)}`;
  });
}

/** Serialisable description of an error for `--json`. */
export function errorJson(error: unknown): Record<string, unknown> {
  const base = error as { name?: string; code?: string; message?: string; issues?: Issue[]; packageName?: string };
  return {
    ok: false,
    error: {
      type: base?.name ?? 'Error',
      code: base?.code ?? (error instanceof UsageError ? 'USAGE' : 'ERROR'),
      message: error instanceof Error ? headline(error) : String(error),
      ...(Array.isArray(base?.issues) ? { issues: base.issues } : {}),
      ...(base?.packageName ? { packageName: base.packageName } : {}),
    },
  };
}

function headline(error: Error): string {
  return isKind(error, 'ConfigError') ? error.message.split('\n')[0]! : error.message;
}

/**
 * Prints an error for a person: the message (never a stack trace unless --verbose), every config
 * issue with its fix, and the next step.
 */
export function reportError(error: unknown, cli: CliContext): number {
  const code = exitCodeOf(error);
  if (cli.json) {
    cli.printJson(errorJson(error));
    return code;
  }
  const c = cli.err;
  if (error instanceof UsageError) {
    cli.note(`${c.red('error:')} ${error.message}`);
    if (error.hint) cli.note(c.dim(error.hint));
    return code;
  }
  if (isKind(error, 'ConfigError')) {
    const issues = (error as { issues: Issue[] }).issues;
    cli.note(`${c.red('error:')} invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'})`);
    for (const line of formatIssues(issues, cli)) cli.note(line);
  } else if (error instanceof Error) {
    // Messages may quote a provider's or a tool's text: nothing in them may drive the terminal.
    cli.note(`${c.red('error:')} ${terminalSafe(error.message)}`);
    const cause = (error as { cause?: unknown }).cause;
    if (cli.verbose && cause instanceof Error) cli.note(c.dim(`caused by: ${terminalSafe(cause.message)}`));
  } else {
    cli.note(`${c.red('error:')} ${terminalSafe(String(error))}`);
  }
  if (cli.verbose && error instanceof Error && error.stack) cli.note(c.dim(terminalSafe(error.stack)));
  else if (!(error instanceof UsageError) && !isKind(error, 'ConfigError') && !isKind(error, 'MissingPackageError')) {
    cli.note(c.dim('(run with --verbose for details, or `entity doctor` to check your setup)'));
  }
  return code;
}
