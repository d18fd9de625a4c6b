export { RECALL_DOCUMENT_KIND, type SemanticRecallConfig, semanticRecall, semanticRecallConfigSchema } from './semantic-recall-plugin.js';
export { type SummaryConfig, summaryConfigSchema, summaryPlugin } from './summary-plugin.js';
export { readSummary, type SummaryRecord, summaryKey } from './summary-record.js';
export { estimateTokens } from './token-estimate.js';
export {
  readWorkingMemory,
  WORKING_MEMORY_KEY,
  WORKING_MEMORY_TOOL,
  type WorkingMemoryConfig,
  type WorkingMemoryOptions,
  workingMemory,
  workingMemoryConfigSchema,
  workingMemoryPlugin,
} from './working-memory-plugin.js';
