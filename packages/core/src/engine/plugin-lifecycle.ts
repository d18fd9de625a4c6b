import type { Logger } from '../contracts/logger.js';
import type { Plugin, PluginInitContext } from '../contracts/plugin.js';
import { PluginError } from '../errors/index.js';
import { abortReason } from './linked-abort.js';
import type { RegisteredPlugin } from './plugin-registry.js';

/** One plugin object's shared life: the agents holding it and its `init`, run once for all of them. */
interface PluginLease {
  readonly holders: Set<object>;
  readonly ready: Promise<void>;
  closing?: Promise<void>;
}

// Kept on globalThis under a Symbol.for key so two copies of @entity/core in one process still
// agree on who holds a plugin object.
const LEASES_KEY = Symbol.for('entity.plugin-leases');
const globalStore = globalThis as { [LEASES_KEY]?: WeakMap<object, PluginLease> };
globalStore[LEASES_KEY] ??= new WeakMap();
const leases: WeakMap<object, PluginLease> = globalStore[LEASES_KEY];

/**
 * Reference-counted plugin lifecycle. A plugin object can be registered in several agents (a shared
 * `Workflow`, or the same object passed twice); it is initialised by the first holder to start and
 * shut down when the last holder stops, so stopping one agent never shuts down a plugin another
 * agent still runs. Concurrent holders wait for the same `init`; when it fails, each of them fails.
 */
export async function acquirePlugin(plugin: Plugin<unknown>, holder: object, init: () => Promise<void> | void): Promise<void> {
  for (;;) {
    const lease = leases.get(plugin);
    if (!lease) break;
    if (lease.closing) {
      // The last holder is shutting it down; start afresh once that has finished.
      await lease.closing.catch(() => {});
      if (leases.get(plugin) === lease) leases.delete(plugin);
      continue;
    }
    lease.holders.add(holder);
    try {
      await lease.ready;
      return;
    } catch (error) {
      lease.holders.delete(holder);
      throw error;
    }
  }
  const lease: PluginLease = { holders: new Set([holder]), ready: Promise.resolve().then(init) };
  leases.set(plugin, lease);
  try {
    await lease.ready;
  } catch (error) {
    lease.holders.delete(holder);
    if (leases.get(plugin) === lease) leases.delete(plugin);
    throw error;
  }
}

/** Gives up `holder`'s share; the last holder runs `shutdown`. A holder that holds nothing is a no-op. */
export async function releasePlugin(plugin: Plugin<unknown>, holder: object, shutdown: () => Promise<void> | void): Promise<void> {
  const lease = leases.get(plugin);
  if (!lease || lease.closing || !lease.holders.delete(holder) || lease.holders.size > 0) return;
  lease.closing = Promise.resolve().then(shutdown);
  try {
    await lease.closing;
  } finally {
    if (leases.get(plugin) === lease) leases.delete(plugin);
  }
}

/**
 * Runs the `init` of every plugin in `plugins` (registration order) for `holder`, adding each to
 * `initialised` as it succeeds; the first failure throws a PluginError naming the plugin. Plugins
 * with neither `init` nor `shutdown` have no lifecycle to track. Once `signal` aborts (the agent
 * stops meanwhile) no further `init` runs, and a plugin whose `init` returns after that is shut
 * down again here: `initialised` is the stopper's, and it may already have been shut down.
 */
export async function initialisePlugins(
  plugins: readonly RegisteredPlugin[],
  holder: object,
  contextFor: (registered: RegisteredPlugin) => PluginInitContext,
  initialised: RegisteredPlugin[],
  signal: AbortSignal,
  onStep?: (plugin: string) => void,
): Promise<void> {
  for (const registered of plugins) {
    const { plugin } = registered;
    if (!plugin.init && !plugin.shutdown) continue;
    if (signal.aborted) throw abortReason(signal);
    onStep?.(plugin.name);
    try {
      await acquirePlugin(plugin, holder, () => plugin.init?.(contextFor(registered)));
    } catch (error) {
      if (signal.aborted) throw abortReason(signal);
      throw new PluginError(plugin.name, `Plugin "${plugin.name}" failed to initialise: ${(error as Error).message}`, { cause: error });
    }
    if (signal.aborted) {
      await releasePlugin(plugin, holder, () => plugin.shutdown?.()).catch(() => {});
      throw abortReason(signal);
    }
    initialised.push(registered);
  }
}

/** Releases `holder`'s plugins in reverse order (emptying `initialised`); a failing shutdown is logged and the rest still run. */
export async function shutDownPlugins(initialised: RegisteredPlugin[], holder: object, logger: Logger): Promise<void> {
  while (initialised.length > 0) {
    const { plugin } = initialised.pop()!;
    try {
      await releasePlugin(plugin, holder, () => plugin.shutdown?.());
    } catch (error) {
      logger.error(`Plugin "${plugin.name}" failed to shut down: ${(error as Error).message}`, { component: 'plugin' });
    }
  }
}
