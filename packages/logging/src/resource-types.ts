import { resolve } from 'node:path';
import { defineResource, type ResourceType } from '@entity/core';
import { type LoggingConfig, loggingConfigSchema } from './config-schema.js';
import { DEFAULT_LOG_FILE } from './file-output.js';
import { createLogging, type LoggingResource } from './logging-resource.js';

const create = (config: LoggingConfig): LoggingResource => createLogging(config);

/** The log file (default included) belongs to the config, not to wherever `entity` runs. */
function resolvePaths(config: LoggingConfig, baseDir: string): LoggingConfig {
  const file = config.file;
  if (typeof file !== 'object' || file.enabled === false) return config;
  return { ...config, file: { ...file, path: resolve(baseDir, file.path ?? DEFAULT_LOG_FILE) } };
}

/** `type: logging` (and its alias `type: pino`) in an agent's YAML. */
export const loggingResourceType = defineResource<LoggingConfig, LoggingResource>({
  type: 'logging',
  packageName: '@entity/logging',
  configSchema: loggingConfigSchema,
  resolvePaths,
  create,
});

/** Every resource type this package provides, for the config loader. */
export const resourceTypes: ResourceType[] = [
  loggingResourceType as ResourceType,
  defineResource<LoggingConfig, LoggingResource>({ ...loggingResourceType, type: 'pino' }) as ResourceType,
];
