import type { ChatResult } from '../contracts/events.js';
import { EntityError, type EntityErrorOptions } from './entity-error.js';

/** One problem found in a configuration, with where it is and how to fix it. */
export interface ConfigIssue {
  /** Dotted path into the configuration, e.g. `resources.llm.model`. Empty for the root. */
  path: string;
  message: string;
  /** A one-line suggestion a user can act on. */
  fix: string;
}

/** A configuration (YAML, JSON or code) is invalid; lists every problem found, not just the first. */
export class ConfigError extends EntityError {
  static override readonly kind: string = 'ConfigError';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], options: EntityErrorOptions = {}) {
    const lines = issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message} — fix: ${issue.fix}`);
    super(`Invalid configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`, {
      code: 'CONFIG_INVALID',
      ...options,
    });
    this.issues = issues;
  }
}

/** A resource failed to start, is missing, or its dependency graph is broken. */
export class ResourceError extends EntityError {
  static override readonly kind: string = 'ResourceError';
  readonly resource: string;
  constructor(resource: string, message: string, options: EntityErrorOptions = {}) {
    super(message, { code: 'RESOURCE_ERROR', ...options });
    this.resource = resource;
  }
}

/** A plugin threw, or was registered in a way the engine cannot run. */
export class PluginError extends EntityError {
  static override readonly kind: string = 'PluginError';
  readonly plugin: string;
  constructor(plugin: string, message: string, options: EntityErrorOptions = {}) {
    super(message, { code: 'PLUGIN_ERROR', ...options });
    this.plugin = plugin;
  }
}

/** A tool call failed: unknown tool, invalid arguments, timeout, or the tool threw. */
export class ToolError extends EntityError {
  static override readonly kind: string = 'ToolError';
  readonly tool: string;
  constructor(tool: string, message: string, options: EntityErrorOptions = {}) {
    super(message, { code: 'TOOL_ERROR', ...options });
    this.tool = tool;
  }
}

/** Input from outside (tool arguments, HTTP bodies, model output) did not match its schema. */
export class ValidationError extends EntityError {
  static override readonly kind: string = 'ValidationError';
  constructor(message: string, options: EntityErrorOptions = {}) {
    super(message, { code: 'VALIDATION_FAILED', ...options });
  }
}

/** A call did not finish within its time budget. Retryable by default. */
export class TimeoutError extends EntityError {
  static override readonly kind: string = 'TimeoutError';
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number, options: EntityErrorOptions = {}) {
    super(message, { code: 'TIMEOUT', retryable: true, ...options });
    this.timeoutMs = timeoutMs;
  }
}

/** The operation was cancelled through an AbortSignal. Never retried. */
export class CancelledError extends EntityError {
  static override readonly kind: string = 'CancelledError';
  constructor(message = 'The operation was cancelled', options: EntityErrorOptions = {}) {
    super(message, { code: 'CANCELLED', safeMessage: 'The request was cancelled.', ...options });
  }
}

/** A circuit breaker is open: the dependency failed repeatedly and is being given time to recover. */
export class CircuitOpenError extends EntityError {
  static override readonly kind: string = 'CircuitOpenError';
  readonly circuit: string;
  readonly retryInMs: number;
  constructor(circuit: string, retryInMs: number, options: EntityErrorOptions = {}) {
    super(`Circuit "${circuit}" is open after repeated failures; next probe in ${Math.max(0, Math.round(retryInMs))} ms`, {
      code: 'CIRCUIT_OPEN',
      retryable: true,
      ...options,
    });
    this.circuit = circuit;
    this.retryInMs = retryInMs;
  }
}

/** A plugin used part of the context outside the stage that allows it (e.g. `respond()` outside DELIVER). */
export class StageError extends EntityError {
  static override readonly kind: string = 'StageError';
  constructor(message: string, options: EntityErrorOptions = {}) {
    super(message, { code: 'STAGE_VIOLATION', ...options });
  }
}

/**
 * A run went through the ERROR stage and the caller asked `chat()` to reject instead of returning
 * a `failed` result (`throwOnFailure: true`). `result` is the result `chat()` would have returned;
 * `cause` is the error that failed the run. `message` and `safeMessage` are safe to show: the
 * failure's safe text, never the raw error (which may hold provider responses or credentials).
 */
export class RunFailedError extends EntityError {
  static override readonly kind: string = 'RunFailedError';
  readonly result: ChatResult;
  constructor(result: ChatResult, cause: unknown, options: EntityErrorOptions = {}) {
    const failure = result.info.failure;
    super(`The run failed in ${failure?.stage ?? 'an unknown stage'} (${failure?.plugin ?? 'unknown plugin'}): ${failure?.message ?? result.text}`, {
      code: 'RUN_FAILED',
      safeMessage: failure?.message ?? result.text,
      cause,
      details: { runId: result.info.runId, failureCode: failure?.code },
      ...options,
    });
    this.result = result;
  }
}

/** The pipeline looped `maxIterations` times without a DELIVER plugin responding. */
export class MaxIterationsError extends EntityError {
  static override readonly kind: string = 'MaxIterationsError';
  constructor(maxIterations: number, options: EntityErrorOptions = {}) {
    super(`No DELIVER plugin responded within ${maxIterations} iterations`, { code: 'MAX_ITERATIONS', ...options });
  }
}

/** An external provider (LLM API, database, object store) returned an error. */
export class ProviderError extends EntityError {
  static override readonly kind: string = 'ProviderError';
  readonly provider: string;
  /** HTTP status when the provider speaks HTTP. */
  readonly status: number | undefined;
  /** Milliseconds the provider asked us to wait (from `retry-after`). */
  readonly retryAfterMs: number | undefined;
  constructor(
    provider: string,
    message: string,
    options: EntityErrorOptions & { status?: number; retryAfterMs?: number } = {},
  ) {
    super(message, { code: 'PROVIDER_ERROR', ...options });
    this.provider = provider;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** An optional package needed for a feature is not installed; the message names the install command. */
export class MissingPackageError extends EntityError {
  static override readonly kind: string = 'MissingPackageError';
  readonly packageName: string;
  constructor(packageName: string, feature: string, options: EntityErrorOptions = {}) {
    super(`${feature} needs the package "${packageName}". Install it with: pnpm add ${packageName}`, {
      code: 'MISSING_PACKAGE',
      ...options,
    });
    this.packageName = packageName;
  }
}
