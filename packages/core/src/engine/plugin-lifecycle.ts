import type { Logger } from '../contracts/logger.js';
import type { Plugin, PluginInitContext } from '../contracts/plugin.js';
import { PluginError } from '../errors/index.js';
import { redactSecrets } from '../redaction/secret-redactor.js';
import { abortReason } from './linked-abort.js';
import type { RegisteredPlugin } from './plugin-registry.js';

/** Who holds a plugin object: one start of one agent. */
export interface PluginHolder {
  /** The agent, to tell "another agent" from "an earlier, abandoned start of this one". */
  readonly agent: object;
  readonly agentName: string;
  /** Tells apart agents of the same name in messages (the agents of one process are numbered from 1). */
  readonly agentNumber: number;
}

/** A plugin object's one holder, and its shutdown while that runs. */
interface PluginLease {
  readonly holder: PluginHolder;
  closing?: Promise<void>;
}

// Kept on globalThis under a Symbol.for key so two copies of @entity/core in one process still
// agree on who holds a plugin object.
const LEASES_KEY = Symbol.for('entity.plugin-leases.v2');
const globalStore = globalThis as { [LEASES_KEY]?: WeakMap<object, PluginLease> };
globalStore[LEASES_KEY] ??= new WeakMap();
const leases: WeakMap<object, PluginLease> = globalStore[LEASES_KEY];

/**
 * Per-agent plugin lifecycle. A plugin object with `init` or `shutdown` is held by one running
 * agent at a time: its `init` runs with that agent's config and resources and its `shutdown` when
 * that agent stops. What `init` keeps (a resource, a connection, the config) belongs to that agent,
 * so a second agent cannot share the object — it would run on the first agent's resources, which
 * stop with the first agent. A second holder is refused with an error saying so; once the holder
 * has shut the plugin down, another agent may take it. Only objects passed in code can meet this:
 * plugins loaded from config or a plugins/ folder are copied per agent (`pluginsOfModule`).
 * Plugins without `init`/`shutdown` keep no agent state and are shared freely.
 */
async function claimPlugin(plugin: Plugin<unknown>, holder: PluginHolder): Promise<PluginLease> {
  for (;;) {
    const lease = leases.get(plugin);
    if (!lease) break;
    if (lease.closing) {
      // Its holder is shutting it down; take it once that has finished.
      await lease.closing.catch(() => {});
      if (leases.get(plugin) === lease) leases.delete(plugin);
      continue;
    }
    throw inUseError(plugin, lease.holder, holder);
  }
  const lease: PluginLease = { holder };
  leases.set(plugin, lease);
  return lease;
}

function inUseError(plugin: Plugin<unknown>, current: PluginHolder, wanted: PluginHolder): PluginError {
  const message =
    current.agent === wanted.agent
      ? `Plugin "${plugin.name}" is still in the init() of an earlier start of agent "${current.agentName}" that stop() abandoned; ` +
        'it is shut down when that init() returns. Try again then, and pass ctx.signal to what init() awaits so a stop can end it.'
      : `Plugin "${plugin.name}" is already started by ${holderName(current, wanted)}. A plugin object with init() or shutdown() serves one ` +
        'running agent at a time, because what its init() keeps (resources, connections, config) belongs to that agent; it is free again once that agent stop()s. ' +
        'This object was passed in code to both agents: give each agent its own plugin object, created (with a Workflow holding it) in a function called once per agent. ' +
        'Plugins loaded from agent.yaml (use:) or a plugins/ folder get their own copy per agent; plugins without init()/shutdown() can be shared.';
  return new PluginError(plugin.name, message, { code: 'PLUGIN_IN_USE' });
}

/** The holding agent as the refused one should read it: by name, and by number when both share the name. */
function holderName(current: PluginHolder, wanted: PluginHolder): string {
  return current.agentName === wanted.agentName
    ? `another agent also named "${current.agentName}" (agent #${current.agentNumber}; this one is agent #${wanted.agentNumber})`
    : `agent "${current.agentName}"`;
}

/** Shuts `plugin` down if `holder` holds it, and frees it for the next holder. */
async function releasePlugin(plugin: Plugin<unknown>, holder: PluginHolder): Promise<void> {
  const lease = leases.get(plugin);
  if (!lease || lease.holder !== holder || lease.closing) return;
  lease.closing = Promise.resolve().then(() => plugin.shutdown?.());
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
  holder: PluginHolder,
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
    const lease = await claimPlugin(plugin, holder);
    try {
      await plugin.init?.(contextFor(registered));
    } catch (error) {
      if (leases.get(plugin) === lease) leases.delete(plugin);
      if (signal.aborted) throw abortReason(signal);
      throw new PluginError(plugin.name, `Plugin "${plugin.name}" failed to initialise: ${redactSecrets((error as Error).message)}`, { cause: error });
    }
    if (signal.aborted) {
      await releasePlugin(plugin, holder).catch(() => {});
      throw abortReason(signal);
    }
    initialised.push(registered);
  }
}

/** Shuts down `holder`'s plugins in reverse order (emptying `initialised`); a failing shutdown is logged and the rest still run. */
export async function shutDownPlugins(initialised: RegisteredPlugin[], holder: PluginHolder, logger: Logger): Promise<void> {
  while (initialised.length > 0) {
    const { plugin } = initialised.pop()!;
    try {
      await releasePlugin(plugin, holder);
    } catch (error) {
      logger.error(`Plugin "${plugin.name}" failed to shut down: ${redactSecrets((error as Error).message)}`, { component: 'plugin' });
    }
  }
}
