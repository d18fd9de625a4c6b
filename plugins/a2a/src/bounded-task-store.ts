import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import { InMemoryTaskStore, type ServerCallContext, type TaskStore } from '@a2a-js/sdk/server';

/** Default most tasks the in-memory store keeps (all users together). */
export const DEFAULT_MAX_TASKS = 1000;

/** Who owns a task, as the SDK's own stores scope it: tenant plus the authenticated user name. */
const scopeOf = (context: ServerCallContext) => JSON.stringify([context.tenant ?? '', context.user?.userName ?? 'unknown']);

/**
 * An in-memory task store that keeps at most `maxTasks` tasks, dropping the least recently
 * saved first. The SDK's `InMemoryTaskStore` keeps every task (with its history and artifacts)
 * for the life of the process, so any authenticated caller could grow the server's memory
 * without bound, one request at a time. Tasks stay scoped to their owner as in the SDK's store.
 */
export class BoundedInMemoryTaskStore implements TaskStore {
  // Insertion order is age: a save moves the task to the end, eviction takes from the front.
  private readonly tasks = new Map<string, { scope: string; task: Task }>();

  constructor(readonly maxTasks: number = DEFAULT_MAX_TASKS) {
    if (!Number.isInteger(maxTasks) || maxTasks < 1) throw new RangeError(`maxTasks must be a whole number >= 1; got ${maxTasks}`);
  }

  get size(): number {
    return this.tasks.size;
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const scope = scopeOf(context);
    const key = JSON.stringify([scope, task.id]);
    this.tasks.delete(key);
    this.tasks.set(key, { scope, task: structuredClone(task) });
    for (const oldest of this.tasks.keys()) {
      if (this.tasks.size <= this.maxTasks) break;
      this.tasks.delete(oldest);
    }
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const entry = this.tasks.get(JSON.stringify([scopeOf(context), taskId]));
    return entry ? structuredClone(entry.task) : undefined;
  }

  /** Filtering and paging as the SDK's store does them, over this caller's tasks only. */
  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const scope = scopeOf(context);
    const view = new InMemoryTaskStore();
    for (const entry of this.tasks.values()) if (entry.scope === scope) await view.save(entry.task, context);
    return view.list(params, context);
  }
}
