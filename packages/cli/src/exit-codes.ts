/**
 * Exit codes scripts can rely on:
 * - 0: success (a valid config, a healthy doctor report, a run that answered);
 * - 1: problems found or a failed run (validate found problems, a doctor check failed, the run
 *   went through the ERROR stage or a model call failed);
 * - 2: usage or configuration errors (unknown command or flag, missing argument, a config that
 *   cannot be loaded, a missing package);
 * - 130: interrupted with Ctrl-C.
 */
export const EXIT = Object.freeze({ ok: 0, problems: 1, usage: 2, interrupted: 130 });

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Wrong use of the command line (unknown flag, missing argument, no config where one is needed). Exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** Shown under the message, e.g. the command's usage line. */
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}
