import { resolve } from 'node:path';
import { defineResource, type ResourceType } from '@entity/core';
import { z } from 'zod';
import type { DatabaseMemory } from './database-memory.js';
import { MAX_DIMENSIONS } from './embedders/dimensions.js';
import { IN_MEMORY_PREFIX } from './drivers/pglite-driver.js';
import { DEFAULT_PGLITE_PATH, type PgliteMemoryOptions, pgliteMemory } from './pglite-memory.js';
import { type PostgresMemoryOptions, postgresMemory } from './postgres-memory.js';
import { MAX_TIMEOUT_MS, MIN_TIMEOUT_MS } from './resilience-options.js';

const PACKAGE_NAME = '@entity/resources-memory';

const positiveInteger = z.number().int().positive();
/** Same bounds as `requireResilienceOptions`, so YAML and code accept the same values. */
const budget = z.number().int().min(MIN_TIMEOUT_MS).max(MAX_TIMEOUT_MS);

const retentionSchema = z
  .object({
    maxAgeMs: positiveInteger.optional().describe('Delete messages older than this many milliseconds'),
    maxMessagesPerConversation: positiveInteger.optional().describe('Keep only the newest N messages per conversation'),
  })
  .strict();

const resilienceSchema = z
  .object({
    timeoutMs: budget.optional(),
    migrationTimeoutMs: budget.optional(),
    retries: z.number().int().min(0).max(10).optional(),
    failureThreshold: z.number().int().min(1).max(1000).optional(),
    resetTimeoutMs: positiveInteger.max(MAX_TIMEOUT_MS).optional(),
  })
  .strict();

const commonShape = {
  dimensions: z.number().int().min(2).max(MAX_DIMENSIONS).optional(),
  embedder: z.enum(['auto', 'hashing', 'llm']).optional(),
  embeddingResource: z.string().min(1).optional(),
  efSearch: z.number().int().min(1).max(1000).optional(),
  retention: retentionSchema.optional(),
  resilience: resilienceSchema.optional(),
};

/** YAML block of `type: pglite` (everything optional). */
export const pgliteConfigSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .optional()
      .describe("Folder of the database, relative to the config file's folder; memory://<name> keeps it in memory. Default: ./.entity/memory."),
    ...commonShape,
  })
  .strict();

const isPostgresUrl = (value: string) => {
  try {
    return ['postgres:', 'postgresql:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** YAML block of `type: postgres`; `url` is required (use `${DATABASE_URL}` to keep secrets out of the file). */
export const postgresConfigSchema = z
  .object({
    // The message never echoes the value: it may contain a password.
    url: z
      .string()
      .refine(isPostgresUrl, { message: 'must be a postgres:// or postgresql:// URL' })
      .describe('postgres:// URL of a database with pgvector; write ${DATABASE_URL}.'),
    poolSize: z.number().int().min(1).max(1000).optional(),
    connectTimeoutMs: positiveInteger.optional(),
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain identifier (letters, digits, underscores)')
      .optional(),
    ...commonShape,
  })
  .strict();

export type PgliteConfig = z.infer<typeof pgliteConfigSchema>;
export type PostgresConfig = z.infer<typeof postgresConfigSchema>;

/** Drops keys whose value is undefined so `exactOptionalPropertyTypes`-style options stay clean. */
const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T;

export const pgliteResourceType = defineResource<PgliteConfig, DatabaseMemory>({
  type: 'pglite',
  packageName: PACKAGE_NAME,
  configSchema: pgliteConfigSchema,
  // The database folder (default included) belongs to the config, not to wherever `entity` runs.
  resolvePaths: (config, baseDir) => {
    const path = config.path ?? DEFAULT_PGLITE_PATH;
    return { ...config, path: path.startsWith(IN_MEMORY_PREFIX) ? path : resolve(baseDir, path) };
  },
  create: (config) => pgliteMemory(defined(config) as PgliteMemoryOptions),
});

export const postgresResourceType = defineResource<PostgresConfig, DatabaseMemory>({
  type: 'postgres',
  packageName: PACKAGE_NAME,
  configSchema: postgresConfigSchema,
  create: (config) => postgresMemory(defined(config) as PostgresMemoryOptions),
});

/** Resource types for YAML: `type: pglite` and `type: postgres`. */
export const resourceTypes: ResourceType[] = [pgliteResourceType as ResourceType, postgresResourceType as ResourceType];
