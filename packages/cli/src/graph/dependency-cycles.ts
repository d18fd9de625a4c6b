import type { AgentDescription } from '@entity/core';

/**
 * Every resource dependency cycle (optional dependencies included: both orders start them), each
 * as its path with the first name repeated at the end (`memory → metrics → memory`).
 */
export function dependencyCycles(description: AgentDescription): string[][] {
  const edges = new Map(description.resources.map((resource) => [resource.name, [...resource.dependencies, ...resource.optionalDependencies]]));
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string) => {
    state.set(name, 'visiting');
    path.push(name);
    for (const next of edges.get(name) ?? []) {
      if (state.get(next) === 'visiting') {
        const cycle = [...path.slice(path.indexOf(next)), next];
        // One report per cycle, whichever resource the walk entered it by.
        const key = [...cycle.slice(0, -1)].sort().join('\0');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (!state.has(next) && edges.has(next)) visit(next);
    }
    path.pop();
    state.set(name, 'done');
  };
  for (const name of edges.keys()) if (!state.has(name)) visit(name);
  return cycles;
}

/** The edges (`from → to`) that lie on a cycle, for highlighting. */
export function cycleEdges(cycles: readonly string[][]): Set<string> {
  const edges = new Set<string>();
  for (const cycle of cycles) for (let index = 1; index < cycle.length; index++) edges.add(`${cycle[index - 1]}\0${cycle[index]}`);
  return edges;
}
