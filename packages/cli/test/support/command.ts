import { execFile } from 'node:child_process';

/**
 * A registry nobody listens on, under both the names pnpm 11 reads (`pnpm_config_*`) and npm
 * reads (`npm_config_*`): a command that tries to download anything fails at once instead of
 * depending on the internet.
 */
export const UNREACHABLE_REGISTRY: Readonly<Record<string, string>> = Object.freeze({
  pnpm_config_registry: 'http://127.0.0.1:9/',
  npm_config_registry: 'http://127.0.0.1:9/',
});

export interface CommandOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeout?: number;
  /** More context for the failure message (e.g. what a loopback server was asked). */
  explain?: () => string;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a command and returns its output. When it fails, the error carries the command, the
 * folder, the exit code or signal and ALL of its stdout and stderr, so a CI log shows why
 * (a bare "Command failed" says nothing).
 */
export function command(file: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeout ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr });
          return;
        }
        const status = error.killed ? `killed (${error.signal ?? 'timeout'})` : `exit code ${String(error.code)}`;
        const lines = [
          `${file} ${args.join(' ')} failed in ${options.cwd}: ${status}`,
          `--- stdout ---\n${stdout.trimEnd() || '(empty)'}`,
          `--- stderr ---\n${stderr.trimEnd() || '(empty)'}`,
        ];
        if (options.explain) lines.push(`--- context ---\n${options.explain()}`);
        reject(new Error(lines.join('\n'), { cause: error }));
      },
    );
  });
}
