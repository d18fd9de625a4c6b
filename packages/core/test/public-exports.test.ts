import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import * as internal from '../src/internal.js';

/**
 * The runtime names of `@entity/core`: every one is a promise kept across releases. Adding or
 * removing one must be a decision, so it changes this list (and the changeset says why). Pieces the
 * CLI and sibling packages share belong in `@entity/core/internal`.
 */
const PUBLIC_RUNTIME_EXPORTS = [
  'ALL_STAGES',
  'Agent',
  'CancelledError',
  'CircuitBreaker',
  'CircuitOpenError',
  'ConfigError',
  'DEFAULT_CHAT_WORKFLOW',
  'DEFAULT_SAFE_MESSAGE',
  'EntityError',
  'LOG_LEVELS',
  'MaxIterationsError',
  'MissingPackageError',
  'PIPELINE_STAGES',
  'PluginError',
  'ProviderError',
  'ResourceError',
  'RunFailedError',
  'StageError',
  'TimeoutError',
  'ToolError',
  'UNEXPECTED_ERROR_CODE',
  'ValidationError',
  'Workflow',
  'agentConfigSchema',
  'agentTool',
  'askModel',
  'createResilientCall',
  'createSecretRedactor',
  'definePlugin',
  'defineResource',
  'defineTool',
  'handoff',
  'handoffPlugin',
  'inMemoryLogger',
  'inMemoryMemory',
  'inMemoryMetrics',
  'isRetryableError',
  'redactSecrets',
  'retry',
  'systemPrompt',
  'toJsonSchema',
  'validate',
  'validateConfig',
  'withTimeout',
];

describe('the public API of @entity/core', () => {
  it('exports exactly the listed runtime names', () => {
    expect(Object.keys(core).sort()).toEqual([...PUBLIC_RUNTIME_EXPORTS].sort());
  });

  it('keeps engine internals out of it, in @entity/core/internal instead', () => {
    for (const name of ['ResourceContainer', 'importFromProject', 'applyParameterReload', 'compileConfig', 'readConfigDocument', 'assignStages']) {
      expect(Object.keys(core)).not.toContain(name);
      expect(Object.keys(internal)).toContain(name);
    }
    // Nothing is in both: a name is either a public promise or an internal one.
    expect(Object.keys(internal).filter((name) => name in core)).toEqual([]);
  });
});
