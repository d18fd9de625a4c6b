export * from './builtins/index.js';
export * from './contracts/index.js';
export * from './define/index.js';
export * from './engine/index.js';
export * from './errors/index.js';
export * from './resilience/index.js';
export * from './config/index.js';
export * from './redaction/index.js';
