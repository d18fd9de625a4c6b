import { isDeepStrictEqual } from 'node:util';
import type { Resource } from '../contracts/resource.js';
import { ConfigError, type ConfigIssue } from '../errors/index.js';
import type { CompiledConfig } from './compile-config.js';

const RESTART = 'restart required: stop the agent and start it with the new config';

const pluginShape = (document: NonNullable<CompiledConfig['document']>) =>
  document.plugins.map((entry) => (typeof entry === 'string' ? { use: entry } : { use: entry.use, export: entry.export, stages: entry.stages }));

/** What changed in the topology (plugins, stages, workflow, resource names and types): each needs a restart. */
export function topologyChanges(previous: CompiledConfig, next: CompiledConfig): ConfigIssue[] {
  const before = previous.document!;
  const after = next.document!;
  const issues: ConfigIssue[] = [];
  const beforeTypes = Object.fromEntries(Object.entries(before.resources).map(([name, entry]) => [name, entry.type]));
  const afterTypes = Object.fromEntries(Object.entries(after.resources).map(([name, entry]) => [name, entry.type]));
  if (!isDeepStrictEqual(beforeTypes, afterTypes)) issues.push({ path: 'resources', message: 'resources were added, removed or changed type', fix: RESTART });
  if (!isDeepStrictEqual(pluginShape(before), pluginShape(after))) issues.push({ path: 'plugins', message: 'plugins or their stages changed', fix: RESTART });
  if (!isDeepStrictEqual(before.workflow, after.workflow) || before.defaultWorkflow !== after.defaultWorkflow) {
    issues.push({ path: 'workflow', message: 'the workflow changed', fix: RESTART });
  }
  return issues;
}

/** What an agent exposes to a hot reload. */
export interface ReloadTarget {
  resource<T = unknown>(name: string): T;
  reloadParameters(parameters: { settings?: Record<string, unknown>; pluginConfigs?: Record<string, unknown> }): void;
}

/**
 * Applies a new config's parameters to a running agent: settings, plugin configs and resource
 * parameters (through `reconfigure`). Refuses the whole reload, changing nothing, when the
 * topology changed or a changed resource cannot reconfigure itself.
 */
export async function applyParameterReload(target: ReloadTarget, previous: CompiledConfig, next: CompiledConfig): Promise<string[]> {
  if (!next.report.ok) throw new ConfigError(next.report.issues);
  const issues = topologyChanges(previous, next);
  const changedResources: [string, unknown][] = [];
  for (const [name, { config }] of next.resourceConfigs) {
    if (isDeepStrictEqual(previous.resourceConfigs.get(name)?.config, config)) continue;
    if (typeof target.resource<Resource>(name).reconfigure !== 'function') {
      issues.push({ path: `resources.${name}`, message: `resource "${name}" cannot change its parameters while running`, fix: RESTART });
    }
    changedResources.push([name, config]);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const { resources: _r, plugins: _p, workflow: _w, defaultWorkflow: _d, name: _n, ...settings } = next.document!;
  const pluginConfigs: Record<string, unknown> = {};
  for (const [index, entry] of next.document!.plugins.entries()) {
    if (typeof entry === 'string') continue;
    for (const name of next.pluginNames[index] ?? []) pluginConfigs[name] = entry.config ?? {};
  }
  target.reloadParameters({ settings, pluginConfigs });
  for (const [name, config] of changedResources) await target.resource<Resource>(name).reconfigure!(config);
  return [...Object.keys(settings), ...Object.keys(pluginConfigs).map((name) => `plugins.${name}`), ...changedResources.map(([name]) => `resources.${name}`)];
}
