import { ValidationError } from '@entity/core';
import type { MetricEvent } from './metric-event.js';

/**
 * Writes `batch` and returns how many of its events the store refused. A refusal of the values
 * (ValidationError: a value out of a column's range) is the data's fault, not the store's, and
 * would fail every retry: the batch is halved until the refused events are found, and only they
 * are dropped (reported through `onRefused`). Any other error is thrown and leaves the whole batch
 * for the next flush; event ids make writing a part of it twice harmless.
 */
export async function writeIsolatingRefused(
  batch: readonly MetricEvent[],
  write: (events: readonly MetricEvent[]) => Promise<void>,
  onRefused: (event: MetricEvent, error: ValidationError) => void,
): Promise<number> {
  try {
    await write(batch);
    return 0;
  } catch (error) {
    if (!ValidationError.isInstance(error)) throw error;
    if (batch.length === 1) {
      onRefused(batch[0]!, error);
      return 1;
    }
    const middle = Math.ceil(batch.length / 2);
    return (await writeIsolatingRefused(batch.slice(0, middle), write, onRefused)) + (await writeIsolatingRefused(batch.slice(middle), write, onRefused));
  }
}
