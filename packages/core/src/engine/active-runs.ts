import type { Logger } from '../contracts/logger.js';
import { CancelledError } from '../errors/index.js';
import type { Run } from './run.js';

/** One run in progress: the switch that cancels it and, once it exists, the run whose work stop() waits for. */
export class ActiveRun {
  readonly controller = new AbortController();
  run: Run | undefined;
  /** Settles when the run has returned and every plugin and tool promise it started has settled. */
  finished: Promise<void> = Promise.resolve();
}

/**
 * The runs an agent has in progress, so `stop()` can refuse new ones, cancel the running ones and
 * wait for them before resources stop under their feet.
 */
export class ActiveRuns {
  private readonly runs = new Set<ActiveRun>();
  private refusal: (() => Error) | undefined;

  get size(): number {
    return this.runs.size;
  }

  /** Runs `body` as a tracked run; refused with the error `refuse()` builds while new runs are refused. */
  track<T>(body: (active: ActiveRun) => Promise<T>): Promise<T> {
    if (this.refusal) return Promise.reject(this.refusal());
    const active = new ActiveRun();
    this.runs.add(active);
    const result = body(active);
    active.finished = result
      .then(
        () => {},
        () => {},
      )
      .then(() => settleWork(active.run))
      .finally(() => this.runs.delete(active));
    return result;
  }

  /** From now on `track()` rejects with `refusal()`, until `accept()`. */
  refuse(refusal: () => Error): void {
    this.refusal = refusal;
  }

  accept(): void {
    this.refusal = undefined;
  }

  /**
   * Cancels every run of agent `agent` and waits until they have finished, at most `timeoutMs`;
   * says so on `logger` when some are still going then. Returns how many were (0 when all finished).
   */
  async cancelAll(agent: string, timeoutMs: number, logger: Logger): Promise<number> {
    const stillRunning = await this.abortAll(new CancelledError(`Agent "${agent}" is stopping; the run was cancelled`), timeoutMs);
    if (stillRunning > 0) {
      logger.warn(
        `${stillRunning} run${stillRunning === 1 ? '' : 's'} still in progress after ${timeoutMs} ms (stopTimeoutMs); stopping resources anyway. ` +
          'A plugin or tool that ignores ctx.signal keeps running: pass the signal to what it awaits.',
        { component: 'agent' },
      );
    }
    return stillRunning;
  }

  private async abortAll(reason: Error, timeoutMs: number): Promise<number> {
    const runs = [...this.runs];
    if (runs.length === 0) return 0;
    for (const active of runs) active.controller.abort(reason);
    let timer: NodeJS.Timeout | undefined;
    const finishedInTime = await Promise.race([
      Promise.all(runs.map((active) => active.finished)).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    return finishedInTime ? 0 : runs.filter((active) => this.runs.has(active)).length;
  }
}

/** Waits for the plugin and tool promises a run left behind; work they start in turn is added as it comes. */
async function settleWork(run: Run | undefined): Promise<void> {
  while (run && run.pendingWork.size > 0) await Promise.allSettled([...run.pendingWork]);
}

export const stoppingError = (agent: string) =>
  new CancelledError(`Agent "${agent}" is stopping and accepts no new runs; call chat() again after stop() resolves (it starts the agent again)`, {
    code: 'AGENT_STOPPING',
    safeMessage: 'The service is restarting. Please try again in a moment.',
  });
