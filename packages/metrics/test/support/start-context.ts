import { inMemoryLogger, type Logger, type Resource, type ResourceStartContext } from '@entity/core';

const silent: Logger = inMemoryLogger({ level: 'fatal', echoLevel: false });

/** What the agent's resource container hands a resource at start, over the given resources. */
export function startContext(name: string, resources: Record<string, Resource> = {}, log: Logger = silent): ResourceStartContext {
  return {
    name,
    resource: <T>(dependency: string) => {
      const resource = resources[dependency];
      if (!resource) throw new Error(`no resource ${dependency}`);
      return resource as T;
    },
    has: (dependency) => dependency in resources,
    log,
    signal: new AbortController().signal,
  };
}
