import type { Logger } from '../contracts/logger.js';
import type { Resource, ResourceStartContext } from '../contracts/resource.js';
import { ResourceError } from '../errors/index.js';
import { abortReason } from './linked-abort.js';
import { redactSecrets } from '../redaction/secret-redactor.js';

/**
 * Holds the agent's resources: checks the dependency graph before anything starts, starts them
 * one at a time in dependency order, and stops whatever started in reverse order — also when a
 * start failed midway.
 */
export class ResourceContainer {
  private readonly resources = new Map<string, Resource>();
  private readonly started: string[] = [];
  private startOrder: string[] | undefined;
  /**
   * Resources whose start() a start the agent gave up on is still waiting for. Until that call has
   * returned (and the resource was stopped again), nobody else may start the same object: the late
   * clean-up would stop it under the new start.
   */
  private readonly abandonedStarts = new Set<string>();

  constructor(resources: Record<string, Resource> = {}) {
    for (const [name, resource] of Object.entries(resources)) this.add(name, resource);
  }

  add(name: string, resource: Resource): void {
    if (this.startOrder) throw new ResourceError(name, `Cannot add resource "${name}" after the agent started`);
    if (this.resources.has(name)) throw new ResourceError(name, `A resource named "${name}" is already registered`);
    this.resources.set(name, resource);
  }

  has(name: string): boolean {
    return this.resources.has(name);
  }

  get<T = unknown>(name: string): T {
    const resource = this.resources.get(name);
    if (!resource) {
      const known = [...this.resources.keys()].join(', ') || 'none';
      throw new ResourceError(name, `No resource named "${name}" (registered: ${known}). Add it under "resources" in the agent config.`, {
        code: 'RESOURCE_MISSING',
      });
    }
    return resource as T;
  }

  names(): string[] {
    return [...this.resources.keys()];
  }

  entries(): [string, Resource][] {
    return [...this.resources.entries()];
  }

  /** Topological order; throws on missing dependencies and cycles, naming them. Nothing is started. */
  resolveOrder(): string[] {
    const missing: string[] = [];
    for (const [name, resource] of this.resources) {
      for (const dependency of resource.dependencies ?? []) {
        if (!this.resources.has(dependency)) missing.push(`"${name}" needs "${dependency}"`);
      }
    }
    if (missing.length > 0) {
      throw new ResourceError(missing[0]!.split('"')[1]!, `Missing resource dependencies: ${missing.join('; ')}. Add them under "resources".`, {
        code: 'RESOURCE_MISSING',
      });
    }
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: string[]) => {
      const seen = state.get(name);
      if (seen === 'done') return;
      if (seen === 'visiting') {
        const cycle = [...path.slice(path.indexOf(name)), name];
        throw new ResourceError(name, `Resource dependency cycle: ${cycle.join(' -> ')}`, { code: 'RESOURCE_CYCLE' });
      }
      state.set(name, 'visiting');
      const resource = this.resources.get(name)!;
      const dependencies = [
        ...(resource.dependencies ?? []),
        ...(resource.optionalDependencies ?? []).filter((dependency) => this.resources.has(dependency)),
      ];
      for (const dependency of dependencies) visit(dependency, [...path, name]);
      state.set(name, 'done');
      order.push(name);
    };
    for (const name of this.resources.keys()) visit(name, []);
    return order;
  }

  /**
   * Starts every resource in dependency order; on the first failure stops what started and rethrows.
   * When `signal` aborts (the agent stops meanwhile), no further resource starts; one whose start
   * returns after that is stopped again here, and the call rejects with the signal's reason — the
   * resources started before are the stopper's to stop. `onStep` hears which resource is starting.
   */
  async start(log: Logger, signal: AbortSignal = new AbortController().signal, onStep?: (name: string) => void): Promise<void> {
    const order = this.resolveOrder();
    const busy = order.find((name) => this.abandonedStarts.has(name));
    if (busy !== undefined) {
      throw new ResourceError(
        busy,
        `Resource "${busy}" is still in the start() of an earlier start of the agent that stop() abandoned; it is stopped when that start() returns. ` +
          'Try again then, and pass ctx.signal to what start() awaits so a stop can end it.',
        { code: 'RESOURCE_IN_USE' },
      );
    }
    this.startOrder = order;
    for (const name of order) {
      if (signal.aborted) throw abortReason(signal);
      onStep?.(name);
      const resource = this.resources.get(name)!;
      const allowed = new Set([...(resource.dependencies ?? []), ...(resource.optionalDependencies ?? [])]);
      const context: ResourceStartContext = {
        name,
        resource: <T>(dependency: string): T => {
          if (!allowed.has(dependency)) {
            throw new ResourceError(name, `Resource "${name}" used "${dependency}" without declaring it in dependencies`);
          }
          return this.get<T>(dependency);
        },
        has: (dependency) => allowed.has(dependency) && this.resources.has(dependency),
        log: log.child({ component: 'resource', resource: name }),
        signal,
      };
      const abandon = () => this.abandonedStarts.add(name);
      signal.addEventListener('abort', abandon, { once: true });
      try {
        await resource.start?.(context);
      } catch (error) {
        if (signal.aborted) {
          this.abandonedStarts.delete(name);
          throw abortReason(signal);
        }
        // The reason is a driver's text and may carry the connection string it failed on.
        const reason = redactSecrets(error instanceof Error ? error.message : String(error));
        await this.stop(log);
        throw new ResourceError(name, `Resource "${name}" failed to start: ${reason}`, { cause: error, code: 'RESOURCE_START_FAILED' });
      } finally {
        signal.removeEventListener('abort', abandon);
      }
      if (signal.aborted) {
        // Abandoned while this one started: nobody else knows it is running.
        await this.stopOne(name, log);
        this.abandonedStarts.delete(name);
        throw abortReason(signal);
      }
      this.started.push(name);
    }
  }

  /** Stops started resources in reverse order. Every stop runs even if one throws; errors are logged. */
  async stop(log: Logger): Promise<void> {
    while (this.started.length > 0) await this.stopOne(this.started.pop()!, log);
    this.startOrder = undefined;
  }

  private async stopOne(name: string, log: Logger): Promise<void> {
    try {
      await this.resources.get(name)?.stop?.();
    } catch (error) {
      log.error(`Resource "${name}" failed to stop cleanly`, {
        component: 'resource',
        resource: name,
        errorType: error instanceof Error ? error.name : typeof error,
        error: redactSecrets(error instanceof Error ? error.message : String(error)),
      });
    }
  }

  get isStarted(): boolean {
    return this.startOrder !== undefined;
  }
}
