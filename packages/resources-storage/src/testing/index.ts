export { NASTY_KEYS } from './nasty-keys.js';
export { describeStorageConformance, type StorageFactory } from './storage-conformance.js';
