import type { AgentDescription } from '@entity/core';
import { cycleEdges, dependencyCycles } from './dependency-cycles.js';

const id = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
const quote = (text: string) => text.replace(/"/g, '#quot;');

interface GraphResource {
  name: string;
  dependencies: string[];
  optionalDependencies: string[];
  /** Not configured: the zero-config default fills it in at start. */
  implicit: boolean;
}

/** Configured resources plus those plugins need that the zero-config defaults will provide. */
function resourcesOf(description: AgentDescription): GraphResource[] {
  const resources: GraphResource[] = description.resources.map((resource) => ({ ...resource, implicit: false }));
  const known = new Set(resources.map((resource) => resource.name));
  for (const stage of description.stages) {
    for (const plugin of stage.plugins) {
      for (const dependency of plugin.dependencies) {
        if (known.has(dependency)) continue;
        known.add(dependency);
        resources.push({ name: dependency, dependencies: [], optionalDependencies: [], implicit: true });
      }
    }
  }
  return resources;
}

const LOOP_LABEL = 'no reply yet: next iteration (≤ maxIterations)';

const resourceLabel = (resource: GraphResource) => (resource.implicit ? `${resource.name} (default)` : resource.name);

/**
 * The workflow as a Mermaid flowchart: one subgraph per stage with its plugins in order, stages
 * chained PARSE → … → DELIVER (ERROR apart), resources with their dependencies, and dashed edges
 * from each plugin to the resources it uses.
 */
export function toMermaid(description: AgentDescription): string {
  const lines = ['flowchart LR'];
  const activeStages = description.stages.filter((stage) => stage.plugins.length > 0 || stage.stage !== 'ERROR');
  for (const { stage, plugins } of activeStages) {
    lines.push(`  subgraph ${id('stage', stage)}["${stage}"]`, '    direction TB');
    if (plugins.length === 0) lines.push(`    ${id('empty', stage)}(("·"))`);
    for (const [index, plugin] of plugins.entries()) {
      lines.push(`    ${id(`p_${stage}`, plugin.name)}["${index + 1}. ${quote(plugin.name)}<br/><small>${plugin.kind}</small>"]`);
    }
    for (let index = 1; index < plugins.length; index++) {
      lines.push(`    ${id(`p_${stage}`, plugins[index - 1]!.name)} --> ${id(`p_${stage}`, plugins[index]!.name)}`);
    }
    lines.push('  end');
  }
  const pipeline = activeStages.filter((stage) => stage.stage !== 'ERROR').map((stage) => id('stage', stage.stage));
  if (pipeline.length > 1) {
    lines.push(`  ${pipeline.join(' --> ')}`);
    // A run starts over until a plugin responds: the loop in which THINK sees what DO's tools returned.
    lines.push(`  ${pipeline.at(-1)} -.->|"${LOOP_LABEL}"| ${pipeline[0]}`);
  }
  const onCycle = cycleEdges(dependencyCycles(description));
  const edge = (from: string, to: string, optional: boolean) =>
    onCycle.has(`${from}\0${to}`) ? `  ${id('r', from)} ${optional ? '-.->' : '-->'}|"cycle!"| ${id('r', to)}` : `  ${id('r', from)} ${optional ? '-.->|optional|' : '-->'} ${id('r', to)}`;
  const resources = resourcesOf(description);
  if (resources.length > 0) {
    lines.push('  subgraph resources["resources"]', '    direction TB');
    for (const resource of resources) lines.push(`    ${id('r', resource.name)}[("${quote(resourceLabel(resource))}")]`);
    lines.push('  end');
    for (const resource of resources) {
      for (const dependency of resource.dependencies) lines.push(edge(resource.name, dependency, false));
      for (const dependency of resource.optionalDependencies) lines.push(edge(resource.name, dependency, true));
    }
  }
  for (const { stage, plugins } of activeStages) {
    for (const plugin of plugins) {
      for (const dependency of plugin.dependencies) lines.push(`  ${id(`p_${stage}`, plugin.name)} -.-> ${id('r', dependency)}`);
    }
  }
  return lines.join('\n');
}

/** The same graph in Graphviz DOT. */
export function toDot(description: AgentDescription): string {
  const q = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const lines = [`digraph ${q(description.name)} {`, '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];'];
  const activeStages = description.stages.filter((stage) => stage.plugins.length > 0 || stage.stage !== 'ERROR');
  for (const { stage, plugins } of activeStages) {
    lines.push(`  subgraph ${q(`cluster_${stage}`)} {`, `    label=${q(stage)};`);
    if (plugins.length === 0) lines.push(`    ${q(`${stage}:empty`)} [label="·", shape=point];`);
    for (const [index, plugin] of plugins.entries()) lines.push(`    ${q(`${stage}:${plugin.name}`)} [label=${q(`${index + 1}. ${plugin.name}\n${plugin.kind}`)}];`);
    for (let index = 1; index < plugins.length; index++) {
      lines.push(`    ${q(`${stage}:${plugins[index - 1]!.name}`)} -> ${q(`${stage}:${plugins[index]!.name}`)};`);
    }
    lines.push('  }');
  }
  const pipeline = activeStages.filter((stage) => stage.stage !== 'ERROR');
  for (let index = 1; index < pipeline.length; index++) {
    const from = pipeline[index - 1]!;
    const to = pipeline[index]!;
    const last = from.plugins.at(-1)?.name;
    const first = to.plugins[0]?.name;
    lines.push(`  ${q(last ? `${from.stage}:${last}` : `${from.stage}:empty`)} -> ${q(first ? `${to.stage}:${first}` : `${to.stage}:empty`)} [style=bold];`);
  }
  if (pipeline.length > 1) {
    const end = pipeline.at(-1)!;
    const start = pipeline[0]!;
    const from = end.plugins.at(-1)?.name ?? 'empty';
    const to = start.plugins[0]?.name ?? 'empty';
    lines.push(`  ${q(`${end.stage}:${from}`)} -> ${q(`${start.stage}:${to}`)} [style=dashed, constraint=false, label=${q(LOOP_LABEL)}];`);
  }
  const onCycle = cycleEdges(dependencyCycles(description));
  const cycleStyle = (from: string, to: string) => (onCycle.has(`${from}\0${to}`) ? ', color=red, fontcolor=red, xlabel="cycle!"' : '');
  for (const resource of resourcesOf(description)) {
    lines.push(`  ${q(`resource:${resource.name}`)} [label=${q(resourceLabel(resource))}, shape=cylinder${resource.implicit ? ', style=dashed' : ''}];`);
    for (const dependency of resource.dependencies) lines.push(`  ${q(`resource:${resource.name}`)} -> ${q(`resource:${dependency}`)} [style=solid${cycleStyle(resource.name, dependency)}];`);
    for (const dependency of resource.optionalDependencies) lines.push(`  ${q(`resource:${resource.name}`)} -> ${q(`resource:${dependency}`)} [style=dotted, label="optional"${cycleStyle(resource.name, dependency)}];`);
  }
  for (const { stage, plugins } of activeStages) {
    for (const plugin of plugins) {
      for (const dependency of plugin.dependencies) lines.push(`  ${q(`${stage}:${plugin.name}`)} -> ${q(`resource:${dependency}`)} [style=dashed];`);
    }
  }
  lines.push('}');
  return lines.join('\n');
}
