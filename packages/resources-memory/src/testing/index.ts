export { expectValidationError, rejectionOf, uniqueUser, vectorOf } from './conformance-helpers.js';
export { INJECTION_STRINGS } from './injection-strings.js';
export { describeMemoryConformance, type MemoryConformanceOptions } from './memory-conformance.js';
export { ensurePgliteTemplate, seedPgliteFolder } from './pglite-template.js';
