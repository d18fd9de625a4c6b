import { resolve } from 'node:path';
import { defineResource, type ResourceType } from '@entity/core';
import { z } from 'zod';
import { inMemoryStorage } from './in-memory-storage.js';
import { DEFAULT_LOCAL_ROOT, localFileStorage } from './local-file-storage.js';
import { s3Storage } from './s3-storage.js';

const PACKAGE_NAME = '@entity/resources-storage';

const byteSize = z.union([
  z.number().int().positive(),
  z.string().regex(/^\s*\d+(\.\d+)?\s*(b|kb|mb|gb|kib|mib|gib)?\s*$/i, 'use a size like "10 MB"'),
]);

/** Settings every storage type accepts in YAML. */
const safetyShape = {
  maxFileSize: byteSize.optional(),
  allowedExtensions: z.union([z.array(z.string().regex(/^\.?[a-z0-9][a-z0-9._-]*$/i, 'use extensions like ".md"')).min(1), z.literal('*')]).optional(),
  backupOnOverwrite: z.boolean().optional(),
  maxBackups: z.number().int().min(1).optional(),
  retry: z
    .union([
      z.object({ retries: z.number().int().min(0).max(10).optional(), baseDelayMs: z.number().int().min(0).optional(), maxDelayMs: z.number().int().min(0).optional() }).strict(),
      z.literal(false),
    ])
    .optional(),
  circuitBreaker: z.object({ failureThreshold: z.number().int().min(1).optional(), resetTimeoutMs: z.number().int().min(0).optional() }).strict().optional(),
  timeoutMs: z.number().int().positive().optional(),
};

/** YAML block of `type: local`. */
export const localStorageConfigSchema = z
  .object({
    ...safetyShape,
    root: z.string().min(1).optional().describe("Folder holding the files, relative to the config file's folder; created when missing. Default: ./agent_files."),
    durable: z.boolean().optional(),
    staleTempFileMs: z.union([z.number().int().min(0), z.literal(false)]).optional(),
  })
  .strict();

/** YAML block of `type: s3`. Credentials usually come from the AWS chain; put them here only via `${ENV}` interpolation. */
export const s3StorageConfigSchema = z
  .object({
    ...safetyShape,
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'use a valid bucket name (3-63 lower-case letters, digits, "." or "-")'),
    prefix: z.string().optional(),
    endpoint: z.url().optional(),
    region: z.string().min(1).optional(),
    forcePathStyle: z.boolean().optional(),
    credentials: z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().min(1).optional() }).strict().optional(),
    createBucket: z.boolean().optional(),
    partSize: z.number().int().min(5 * 1024 * 1024).optional(),
    queueSize: z.number().int().min(1).max(64).optional(),
    checksums: z.enum(['when-supported', 'when-required']).optional(),
  })
  .strict();

/** YAML block of `type: memory`. */
export const memoryStorageConfigSchema = z.object(safetyShape).strict();

/** Storage types selectable from YAML: `type: local | s3 | memory`. */
export const resourceTypes: ResourceType[] = [
  defineResource({
    type: 'local',
    packageName: PACKAGE_NAME,
    configSchema: localStorageConfigSchema,
    // The root (default included) belongs to the config, not to wherever `entity` runs.
    resolvePaths: (config, baseDir) => ({ ...config, root: resolve(baseDir, config.root ?? DEFAULT_LOCAL_ROOT) }),
    create: (config) => localFileStorage(config),
  }),
  defineResource({ type: 's3', packageName: PACKAGE_NAME, configSchema: s3StorageConfigSchema, create: (config) => s3Storage(config) }),
  defineResource({ type: 'memory', packageName: PACKAGE_NAME, configSchema: memoryStorageConfigSchema, create: (config) => inMemoryStorage(config) }),
] as ResourceType[];
