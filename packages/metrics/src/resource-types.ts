import { defineResource, type ResourceType } from '@entity/core';
import { type MetricsConfig, metricsConfigSchema } from './config-schema.js';
import { createMetrics, type MetricsResource } from './metrics-resource.js';

/** `type: metrics` in an agent's YAML. */
export const metricsResourceType = defineResource<MetricsConfig, MetricsResource>({
  type: 'metrics',
  packageName: '@entity/metrics',
  configSchema: metricsConfigSchema,
  create: (config) => createMetrics(config),
});

/** Every resource type this package provides, for the config loader. */
export const resourceTypes: ResourceType[] = [metricsResourceType as ResourceType];
