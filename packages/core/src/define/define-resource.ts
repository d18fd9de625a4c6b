import type { ZodType } from 'zod';
import type { Resource, ResourceType } from '../contracts/resource.js';

/**
 * Declares a resource type selectable from YAML (`type: <type>`). `create` receives the
 * validated config block; declare `dependencies` on the returned resource.
 */
export function defineResource<TConfig, TResource extends Resource>(spec: ResourceType<TConfig, TResource>): ResourceType<TConfig, TResource> {
  return spec;
}
