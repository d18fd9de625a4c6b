import { defineResource, type ResourceType } from '@entity/core';
import { type LoggingConfig, loggingConfigSchema } from './config-schema.js';
import { createLogging, type LoggingResource } from './logging-resource.js';

const create = (config: LoggingConfig): LoggingResource => createLogging(config);

/** `type: logging` (and its alias `type: pino`) in an agent's YAML. */
export const loggingResourceType = defineResource<LoggingConfig, LoggingResource>({
  type: 'logging',
  packageName: '@entity/logging',
  configSchema: loggingConfigSchema,
  create,
});

/** Every resource type this package provides, for the config loader. */
export const resourceTypes: ResourceType[] = [
  loggingResourceType as ResourceType,
  defineResource<LoggingConfig, LoggingResource>({ ...loggingResourceType, type: 'pino' }) as ResourceType,
];
