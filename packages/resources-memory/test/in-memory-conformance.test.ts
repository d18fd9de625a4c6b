import { inMemoryMemory } from '@entity/core';
import { describeMemoryConformance } from '../src/testing/index.js';

// Core's fallback memory (used when no memory resource is configured) keeps the same contract
// as the SQL memories: key-value and conversations, with the same validation.
describeMemoryConformance('core in-memory memory', { setup: () => inMemoryMemory() });
