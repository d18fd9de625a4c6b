import type { MetricLabels } from '@entity/core';

/** Latency buckets in seconds: sub-millisecond framework work up to multi-minute model calls. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];

/** The content type of the text exposition format, for an HTTP `/metrics` response. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type FamilyType = 'counter' | 'gauge' | 'histogram';
type LabelPairs = readonly (readonly [string, string])[];

/** One labelled series; hold on to it to record without a lookup. */
export interface Series {
  readonly labels: LabelPairs;
  value: number;
  bucketCounts?: number[];
  sum?: number;
  buckets?: readonly number[];
}

/** Adds one observation to a histogram series. */
export function observeSeries(series: Series, value: number): void {
  const buckets = series.buckets!;
  const counts = series.bucketCounts!;
  for (let index = 0; index < buckets.length; index++) {
    if (value <= buckets[index]!) {
      counts[index]!++;
      break;
    }
  }
  series.value++;
  series.sum! += value;
}

interface Family {
  name: string;
  help: string;
  type: FamilyType;
  buckets?: readonly number[];
  series: Map<string, Series>;
  /** Custom families: the name the plugin used, and each label name it used per sanitised one. */
  custom?: { name: string; labels: Map<string, string> };
}

/** Why a plugin's metric was refused; each is logged once per metric and counted. */
export type CustomMetricRefusal =
  | 'reserved-name'
  | 'name-clash'
  | 'label-clash'
  | 'reserved-label'
  | 'too-many-metrics'
  | 'invalid-value';

/** Prefix of the framework's own families; plugin metrics may not use it. */
export const RESERVED_PREFIX = 'entity_';
/** Default cap on the number of plugin-defined families. */
export const DEFAULT_MAX_CUSTOM_METRICS = 200;

/** The sample names a family writes: a histogram writes three, everything else its own name. */
const sampleNames = (name: string, type: FamilyType | 'gauge'): string[] =>
  type === 'histogram' ? [name, `${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];

const escapeLabel = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const escapeHelp = (value: string) => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** Turns any text into a valid metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`). */
export const sanitizeMetricName = (name: string): string => {
  const clean = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[a-zA-Z_:]/.test(clean) ? clean : `_${clean}`;
};

/** Turns any text into a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`). */
export const sanitizeLabelName = (name: string): string => {
  let clean = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (!/^[a-zA-Z_]/.test(clean)) clean = `_${clean}`;
  return clean.startsWith('__') ? clean.replace(/^_+/, 'label_') : clean;
};

const formatNumber = (value: number): string => {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
};

const renderLabels = (labels: LabelPairs, extra?: readonly [string, string]): string => {
  const pairs = extra ? [...labels, extra] : labels;
  if (pairs.length === 0) return '';
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(',')}}`;
};

/**
 * Cumulative counters, gauges and histograms of this process, rendered in the Prometheus text
 * format. Series per family are capped so a label with unbounded values cannot eat the heap.
 */
export class PrometheusRegistry {
  readonly #families = new Map<string, Family>();
  readonly #collected = new Map<string, { help: string; type: 'gauge' | 'counter'; read: () => number }>();
  /** Which family writes each sample name: two families must never write the same one. */
  readonly #claims = new Map<string, string>();
  readonly #maxSeries: number;
  readonly #maxCustomFamilies: number;
  #customFamilies = 0;
  /** Observations refused: too many series in a family, or a name reused with another type. */
  refused = 0;
  /** Plugin observations refused by a guard (see {@link CustomMetricRefusal}). */
  refusedCustom = 0;
  /** Told about each refused plugin observation, with the name the plugin used. */
  onRefused: ((name: string, reason: CustomMetricRefusal) => void) | undefined;

  constructor(maxSeriesPerFamily = 2000, maxCustomFamilies = DEFAULT_MAX_CUSTOM_METRICS) {
    this.#maxSeries = maxSeriesPerFamily;
    this.#maxCustomFamilies = maxCustomFamilies;
  }

  /** A value read when rendering (a buffer size, a drop count kept elsewhere). */
  collect(name: string, help: string, read: () => number, type: 'gauge' | 'counter' = 'gauge'): void {
    this.#claim(name, type);
    this.#collected.set(name, { help, type, read });
  }

  /**
   * The series of a plugin's metric, after the guards that keep the exposition valid: no name in
   * the framework's `entity_` namespace, no two plugin names (or label names) that sanitise to the
   * same one, no `le` label on a histogram, at most `maxCustomFamilies` families. Refusals are
   * counted and reported through `onRefused`.
   */
  customSeries(
    originalName: string,
    name: string,
    help: string,
    type: 'counter' | 'histogram',
    buckets: readonly number[] | undefined,
    labels: MetricLabels | undefined,
  ): Series | undefined {
    let family = this.#families.get(name);
    if (family === undefined) {
      if (name.startsWith(RESERVED_PREFIX)) return this.refuseCustom(originalName, 'reserved-name');
      if (this.#customFamilies >= this.#maxCustomFamilies) return this.refuseCustom(originalName, 'too-many-metrics');
      if (sampleNames(name, type).some((sample) => this.#claims.has(sample))) return this.refuseCustom(originalName, 'name-clash');
    } else if (family.custom === undefined) {
      return this.refuseCustom(originalName, 'reserved-name');
    } else if (family.custom.name !== originalName || family.type !== type) {
      return this.refuseCustom(originalName, 'name-clash');
    }
    const { key, pairs, originals } = customLabels(labels);
    if (type === 'histogram' && pairs.some(([label]) => label === 'le')) return this.refuseCustom(originalName, 'reserved-label');
    const seen = new Set<string>();
    for (let index = 0; index < pairs.length; index++) {
      const label = pairs[index]![0];
      const known = family?.custom?.labels.get(label);
      if (seen.has(label) || (known !== undefined && known !== originals[index])) return this.refuseCustom(originalName, 'label-clash');
      seen.add(label);
    }
    if (family === undefined) {
      family = this.#createFamily(name, help, type, buckets);
      family.custom = { name: originalName, labels: new Map() };
      this.#customFamilies++;
    }
    for (let index = 0; index < pairs.length; index++) family.custom!.labels.set(pairs[index]![0], originals[index]!);
    return this.series(name, help, type, buckets, key, () => pairs);
  }

  /** Counts and reports a refused plugin observation; returns undefined for the caller to pass on. */
  refuseCustom(originalName: string, reason: CustomMetricRefusal): undefined {
    this.refusedCustom++;
    this.onRefused?.(originalName, reason);
    return undefined;
  }

  render(): string {
    const lines: string[] = [];
    for (const family of this.#families.values()) {
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
      for (const series of family.series.values()) {
        if (family.type !== 'histogram') {
          lines.push(`${family.name}${renderLabels(series.labels)} ${formatNumber(series.value)}`);
          continue;
        }
        let cumulative = 0;
        family.buckets!.forEach((bound, index) => {
          cumulative += series.bucketCounts![index]!;
          lines.push(`${family.name}_bucket${renderLabels(series.labels, ['le', formatNumber(bound)])} ${cumulative}`);
        });
        lines.push(`${family.name}_bucket${renderLabels(series.labels, ['le', '+Inf'])} ${series.value}`);
        lines.push(`${family.name}_sum${renderLabels(series.labels)} ${formatNumber(series.sum!)}`);
        lines.push(`${family.name}_count${renderLabels(series.labels)} ${series.value}`);
      }
    }
    for (const [name, collected] of this.#collected) {
      let value: number;
      try {
        value = collected.read();
      } catch {
        continue;
      }
      lines.push(`# HELP ${name} ${escapeHelp(collected.help)}`, `# TYPE ${name} ${collected.type}`, `${name} ${formatNumber(value)}`);
    }
    return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
  }

  /** The series of a family, created on first use; undefined (and counted) when refused. */
  series(
    name: string,
    help: string,
    type: FamilyType,
    buckets: readonly number[] | undefined,
    key: string,
    labels: () => LabelPairs,
  ): Series | undefined {
    let family = this.#families.get(name);
    if (family === undefined) {
      if (sampleNames(name, type).some((sample) => this.#claims.has(sample))) {
        this.refused++;
        return undefined;
      }
      family = this.#createFamily(name, help, type, buckets);
    } else if (family.type !== type) {
      this.refused++;
      return undefined;
    }
    let series = family.series.get(key);
    if (series === undefined) {
      if (family.series.size >= this.#maxSeries) {
        this.refused++;
        return undefined;
      }
      series = { labels: labels(), value: 0 };
      if (type === 'histogram') {
        series.bucketCounts = new Array<number>(family.buckets!.length).fill(0);
        series.sum = 0;
        series.buckets = family.buckets!;
      }
      family.series.set(key, series);
    }
    return series;
  }

  #createFamily(name: string, help: string, type: FamilyType, buckets: readonly number[] | undefined): Family {
    const family: Family = { name, help, type, series: new Map(), ...(buckets && { buckets }) };
    this.#families.set(name, family);
    this.#claim(name, type);
    return family;
  }

  #claim(name: string, type: FamilyType | 'gauge'): void {
    for (const sample of sampleNames(name, type)) this.#claims.set(sample, name);
  }
}

/** Label pairs of a custom metric, sorted by name, with a stable key and the names as given. */
export function customLabels(labels: MetricLabels | undefined): { key: string; pairs: LabelPairs; originals: readonly string[] } {
  if (labels === undefined) return { key: '', pairs: [], originals: [] };
  const originals = Object.keys(labels).sort();
  const pairs = originals.map((name) => [sanitizeLabelName(name), String(labels[name])] as const);
  return { key: pairs.map(([name, value]) => `${name}\u0001${value}`).join('\u0002'), pairs, originals };
}
