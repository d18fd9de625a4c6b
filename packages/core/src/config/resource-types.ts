import { KNOWN_RESOURCE_PACKAGES, type ResourceType } from '../contracts/resource.js';
import { MissingPackageError } from '../errors/index.js';
import { importFromProject } from '../engine/project-import.js';

/** Finds a resource type among the given ones, then in the package known to provide it. */
export async function findResourceType(
  type: string,
  provided: readonly ResourceType<any, any>[],
  projectDir: string,
): Promise<{ found: ResourceType<any, any> } | { problem: string; fix: string }> {
  const given = provided.find((candidate) => candidate.type === type);
  if (given) return { found: given };
  const packageName = KNOWN_RESOURCE_PACKAGES[type];
  if (!packageName) {
    const known = [...new Set([...provided.map((candidate) => candidate.type), ...Object.keys(KNOWN_RESOURCE_PACKAGES)])];
    return { problem: `unknown resource type "${type}"`, fix: `use one of: ${known.join(', ')}` };
  }
  try {
    const module = await importFromProject<{ resourceTypes?: ResourceType<any, any>[] }>(packageName, `Resource type "${type}"`, projectDir);
    const found = module.resourceTypes?.find((candidate) => candidate.type === type);
    if (found) return { found };
    return { problem: `${packageName} does not provide resource type "${type}"`, fix: `upgrade ${packageName}` };
  } catch (error) {
    if (MissingPackageError.isInstance(error)) {
      return { problem: `resource type "${type}" needs the package ${packageName}, which is not installed`, fix: `pnpm add ${packageName}` };
    }
    throw error;
  }
}
