export { type InMemoryLogger, type InMemoryLoggerOptions, inMemoryLogger, type LogEntry } from './in-memory-logger.js';
export { inMemoryMemory } from './in-memory-memory.js';
export { type InMemoryMetrics, type InMemoryMetricsOptions, inMemoryMetrics } from './in-memory-metrics.js';
