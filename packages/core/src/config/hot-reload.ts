import { isDeepStrictEqual } from 'node:util';
import type { Resource } from '../contracts/resource.js';
import { ConfigError, type ConfigIssue } from '../errors/index.js';
import { DEFAULT_SETTINGS, type EngineSettings } from '../engine/runtime.js';
import type { ReloadParameters } from '../engine/agent.js';
import type { CompiledConfig } from './compile-config.js';
import { redactIssues, redactSecrets } from '../redaction/secret-redactor.js';

const RESTART = 'restart required: stop the agent and start it with the new config';

type ConfigDocument = NonNullable<CompiledConfig['document']>;

const pluginShape = (document: ConfigDocument) =>
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
  /** Validates parameters without applying any; returns the step that applies them all, which cannot fail. */
  prepareParameters(parameters: ReloadParameters): () => void;
}

const SETTING_KEYS = ['instructions', 'maxIterations', 'runTimeoutMs', 'toolTimeoutMs', 'toolConcurrency', 'historyLimit', 'stopTimeoutMs', 'errorTimeoutMs'] as const satisfies readonly (keyof EngineSettings & keyof ConfigDocument)[];

/** Settings whose value differs; one removed from the file returns to its default. */
function changedSettings(before: ConfigDocument, after: ConfigDocument): Partial<EngineSettings> {
  const changed: Partial<Record<keyof EngineSettings, unknown>> = {};
  for (const key of SETTING_KEYS) {
    if (!isDeepStrictEqual(before[key], after[key])) changed[key] = after[key] ?? DEFAULT_SETTINGS[key];
  }
  return changed as Partial<EngineSettings>;
}

/** Config per plugin name as the document gives it (an entry without `config` configures `{}`). */
function pluginConfigsOf(compiled: CompiledConfig): Map<string, unknown> {
  const configs = new Map<string, unknown>();
  for (const [index, entry] of compiled.document!.plugins.entries()) {
    for (const name of compiled.pluginNames[index] ?? []) configs.set(name, typeof entry === 'string' ? {} : (entry.config ?? {}));
  }
  return configs;
}

/**
 * Applies a new config's parameters to a running agent — settings, plugin configs and resource
 * parameters (through `reconfigure`) — all or nothing. Everything is validated first; resources
 * are then reconfigured, and when one refuses, it and those already reconfigured get their
 * previous parameters back and nothing else is applied. Returns what changed (`[]` for an unchanged file).
 */
export async function applyParameterReload(target: ReloadTarget, previous: CompiledConfig, next: CompiledConfig): Promise<string[]> {
  if (!next.report.ok) throw new ConfigError(redactIssues(next.report.issues));
  const issues = topologyChanges(previous, next);
  const changedResources: { name: string; before: unknown; after: unknown }[] = [];
  for (const [name, { config }] of next.resourceConfigs) {
    const before = previous.resourceConfigs.get(name)?.config;
    if (isDeepStrictEqual(before, config)) continue;
    if (typeof target.resource<Resource>(name).reconfigure !== 'function') {
      issues.push({ path: `resources.${name}`, message: `resource "${name}" cannot change its parameters while running`, fix: RESTART });
    }
    changedResources.push({ name, before, after: config });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const settings = changedSettings(previous.document!, next.document!);
  const beforeConfigs = pluginConfigsOf(previous);
  const pluginConfigs: Record<string, unknown> = {};
  for (const [name, config] of pluginConfigsOf(next)) {
    if (!isDeepStrictEqual(beforeConfigs.get(name), config)) pluginConfigs[name] = config;
  }
  const applyParameters = target.prepareParameters({ settings, pluginConfigs });

  const reconfigured: typeof changedResources = [];
  for (const change of changedResources) {
    try {
      await target.resource<Resource>(change.name).reconfigure!(change.after);
      reconfigured.push(change);
    } catch (error) {
      // The refusing resource too: it may have applied part of the new parameters before it threw.
      const restoreProblems = await restore(target, [...reconfigured, change]);
      throw new ConfigError([
        { path: `resources.${change.name}`, message: `resource "${change.name}" refused the new parameters: ${redactSecrets((error as Error).message)}`, fix: RESTART },
        ...restoreProblems,
      ]);
    }
  }
  applyParameters();
  return [...Object.keys(settings), ...Object.keys(pluginConfigs).map((name) => `plugins.${name}`), ...changedResources.map(({ name }) => `resources.${name}`)];
}

/** Gives resources reconfigured by a refused reload their previous parameters back, newest first. */
async function restore(target: ReloadTarget, reconfigured: readonly { name: string; before: unknown }[]): Promise<ConfigIssue[]> {
  const problems: ConfigIssue[] = [];
  for (const { name, before } of [...reconfigured].reverse()) {
    try {
      await target.resource<Resource>(name).reconfigure!(before);
    } catch (error) {
      problems.push({ path: `resources.${name}`, message: `resource "${name}" could not return to its previous parameters: ${redactSecrets((error as Error).message)}`, fix: RESTART });
    }
  }
  return problems;
}
