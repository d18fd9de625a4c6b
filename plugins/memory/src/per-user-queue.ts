/**
 * Runs read-merge-write updates of one user's row one after another within this process. Two
 * tool calls of one model reply run in parallel, and a user may have two turns in flight: without
 * this, both would read the same record and the later write would drop the other's change.
 * Keyed by user id alone: a tool sees the memory through a per-run wrapper, so the memory object
 * cannot tell two agents' stores apart, and making two agents' updates of one id wait is harmless.
 */
export class PerUserQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(userId: string, update: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(userId) ?? Promise.resolve();
    const result = previous.then(update, update);
    const tail = result.catch(() => undefined);
    this.tails.set(userId, tail);
    // The map holds only users with an update in flight.
    void tail.then(() => {
      if (this.tails.get(userId) === tail) this.tails.delete(userId);
    });
    return result;
  }
}
