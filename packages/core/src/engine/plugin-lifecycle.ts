import type { Plugin } from '../contracts/plugin.js';

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
