const markerFor = (kind: string): symbol => Symbol.for(`entity.error.${kind}`);

/** Options shared by every Entity error. */
export interface EntityErrorOptions {
  /** Stable machine-readable code, e.g. `CONFIG_INVALID`. */
  code?: string;
  /** Text that is safe to show an end user; never contains internals. Default: a generic apology. */
  safeMessage?: string;
  /** The underlying error, kept for logs. */
  cause?: unknown;
  /** Whether repeating the same call may succeed (network blips, 429, 5xx). Default: false. */
  retryable?: boolean;
  /** Structured details for logs and tooling (never shown to end users). */
  details?: Record<string, unknown>;
}

export const DEFAULT_SAFE_MESSAGE = 'Sorry, something went wrong while handling your message. Please try again.';

/** The stable code callers see for a failure that is not an Entity error (a plain `Error`, a `TypeError`). */
export const UNEXPECTED_ERROR_CODE = 'UNEXPECTED_ERROR';

/**
 * Base class of every error Entity throws.
 *
 * Check kinds with `ConfigError.isInstance(error)` rather than `instanceof`: a user can end up
 * with two copies of `@entity/core` in one process, and `instanceof` fails across copies while
 * the `Symbol.for` markers set here do not.
 */
export class EntityError extends Error {
  static readonly kind: string = 'EntityError';
  readonly code: string;
  readonly safeMessage: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options: EntityErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? 'ENTITY_ERROR';
    this.safeMessage = options.safeMessage ?? DEFAULT_SAFE_MESSAGE;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
    let ctor: unknown = new.target;
    while (typeof ctor === 'function' && ctor !== Error) {
      if (Object.hasOwn(ctor, 'kind')) {
        const kind = (ctor as unknown as { kind: string }).kind;
        Object.defineProperty(this, markerFor(kind), { value: true });
        if (ctor === new.target) this.name = kind;
      }
      ctor = Object.getPrototypeOf(ctor);
    }
  }

  /** True when `value` is an instance of this error class, from any copy of `@entity/core`. */
  static isInstance<T extends abstract new (...args: never[]) => EntityError>(
    this: T & { kind: string },
    value: unknown,
  ): value is InstanceType<T> {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[markerFor(this.kind)] === true;
  }
}
