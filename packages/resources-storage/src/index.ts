export { formatBytes } from './body.js';
export { guessContentType } from './content-type.js';
export { createStorage, MAX_LIST_LIMIT, type ManagedStorage } from './create-storage.js';
export { DEFAULT_FILE_QUOTA, type FileQuota } from './file-quota.js';
export { type FileToolsOptions, filesPlugin, fileTools } from './file-tools.js';
export { inMemoryDriver, inMemoryStorage } from './in-memory-storage.js';
export { DEFAULT_LOCAL_ROOT, defaultStorage, type LocalFileStorageOptions, localFileDriver, localFileStorage } from './local-file-storage.js';
export { MAX_METADATA_BYTES } from './metadata.js';
export { localStorageConfigSchema, memoryStorageConfigSchema, resourceTypes, s3StorageConfigSchema } from './resource-types.js';
export { type S3Credentials, type S3DriverOptions, type S3StorageOptions, s3Driver, s3Storage } from './s3-storage.js';
export { scopedStorage, USERS_FOLDER, userPrefix, userSegment, userStorage } from './scoped-storage.js';
export type { DriverFailure, DriverPutRequest, StorageDriver } from './storage-driver.js';
export {
  BACKUP_SEGMENT,
  compareKeys,
  isBackupKey,
  keyExtension,
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
  normaliseKey,
  normalisePrefix,
} from './storage-key.js';
export {
  DEFAULT_ALLOWED_EXTENSIONS,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_MAX_BACKUPS,
  DEFAULT_MAX_FILE_SIZE,
  parseByteSize,
  type StorageOptions,
} from './storage-options.js';
