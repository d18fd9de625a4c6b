/** Outcome of one doctor check. `fail` makes `entity doctor` exit 1; `warn` does not. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Short id, stable for --json consumers: `node`, `ollama`, `model`, `database`, ... */
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found. */
  message: string;
  /** What to do about it (for warn and fail). */
  fix?: string;
  details?: Record<string, unknown>;
}

/** Settings of the checks; every address and directory can be pointed elsewhere (tests use unreachable ones). */
export interface DoctorSettings {
  cwd: string;
  env: NodeJS.ProcessEnv;
  ollamaHost: string;
  databaseUrl: string | undefined;
  storageDir: string;
  memoryDir: string;
  /** Budget of each network probe. Default: 2000 ms. */
  timeoutMs: number;
}
