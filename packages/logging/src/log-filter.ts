import type { LogFields, LogLevel } from '@entity/core';

/** Pino's numeric levels; higher is more severe. */
export const LEVEL_VALUES: Readonly<Record<LogLevel, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

/** A level, or `off` to silence entries entirely. */
export type LevelSetting = LogLevel | 'off';

const OFF = Number.POSITIVE_INFINITY;

export const levelValue = (setting: LevelSetting): number => (setting === 'off' ? OFF : LEVEL_VALUES[setting]);

/**
 * Minimum levels by origin. The most specific match wins: a named plugin / tool / resource,
 * then the component, then the logger's `level`.
 */
export interface LogFilters {
  /** By `component` field: `{ resource: 'warn', pipeline: 'debug' }`. */
  components?: Readonly<Record<string, LevelSetting>>;
  /** By `resource` field (`llm`, `memory`...): `{ memory: 'error' }`. */
  resources?: Readonly<Record<string, LevelSetting>>;
  /** By `plugin` field. */
  plugins?: Readonly<Record<string, LevelSetting>>;
  /** By `tool` field. */
  tools?: Readonly<Record<string, LevelSetting>>;
}

type Lookup = ReadonlyMap<string, number>;

const toLookup = (table: Readonly<Record<string, LevelSetting>> | undefined): Lookup | undefined => {
  if (table === undefined) return undefined;
  const entries = Object.entries(table);
  return entries.length === 0 ? undefined : new Map(entries.map(([name, setting]) => [name, levelValue(setting)]));
};

const pick = (fields: LogFields | undefined, bindings: LogFields, key: string): unknown => fields?.[key] ?? bindings[key];

/** Decides whether an entry passes, from its own fields and the logger's bindings. */
export class LevelGate {
  readonly #base: number;
  readonly #components: Lookup | undefined;
  readonly #resources: Lookup | undefined;
  readonly #plugins: Lookup | undefined;
  readonly #tools: Lookup | undefined;
  /** Lowest level any rule lets through: entries below it are rejected without a lookup. */
  readonly floor: number;
  /** Whether any rule names a resource, plugin or tool (else only the component matters). */
  readonly hasNamedRules: boolean;

  constructor(level: LevelSetting, filters: LogFilters = {}) {
    this.#base = levelValue(level);
    this.#components = toLookup(filters.components);
    this.#resources = toLookup(filters.resources);
    this.#plugins = toLookup(filters.plugins);
    this.#tools = toLookup(filters.tools);
    let floor = this.#base;
    for (const table of [this.#components, this.#resources, this.#plugins, this.#tools]) {
      if (table) for (const value of table.values()) floor = Math.min(floor, value);
    }
    this.floor = floor;
    this.hasNamedRules = this.#resources !== undefined || this.#plugins !== undefined || this.#tools !== undefined;
  }

  /** The minimum level that applies to an entry with these fields. */
  threshold(fields: LogFields | undefined, bindings: LogFields): number {
    return (
      this.#named(this.#resources, pick(fields, bindings, 'resource')) ??
      this.#named(this.#plugins, pick(fields, bindings, 'plugin')) ??
      this.#named(this.#tools, pick(fields, bindings, 'tool')) ??
      this.#named(this.#components, pick(fields, bindings, 'component')) ??
      this.#base
    );
  }

  allows(value: number, fields: LogFields | undefined, bindings: LogFields): boolean {
    if (value < this.floor) return false;
    return value >= this.threshold(fields, bindings);
  }

  #named(table: Lookup | undefined, name: unknown): number | undefined {
    return table !== undefined && typeof name === 'string' ? table.get(name) : undefined;
  }
}
