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
}

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
  readonly #maxSeries: number;
  /** Observations refused: too many series in a family, or a name reused with another type. */
  refused = 0;

  constructor(maxSeriesPerFamily = 2000) {
    this.#maxSeries = maxSeriesPerFamily;
  }

  /** Adds `value` to a counter series. `key` must identify `labels` (passed lazily, built once per series). */
  increment(name: string, help: string, key: string, labels: () => LabelPairs, value = 1): void {
    const series = this.series(name, help, 'counter', undefined, key, labels);
    if (series) series.value += value;
  }

  /** Records one observation of a histogram series. */
  observe(name: string, help: string, buckets: readonly number[], key: string, labels: () => LabelPairs, value: number): void {
    const series = this.series(name, help, 'histogram', buckets, key, labels);
    if (series) observeSeries(series, value);
  }

  /** A value read when rendering (a buffer size, a drop count kept elsewhere). */
  collect(name: string, help: string, read: () => number, type: 'gauge' | 'counter' = 'gauge'): void {
    this.#collected.set(name, { help, type, read });
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
      family = { name, help, type, series: new Map(), ...(buckets && { buckets }) };
      this.#families.set(name, family);
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
}

/** Label pairs of a custom metric, sorted by name, with a stable key. */
export function customLabels(labels: MetricLabels | undefined): { key: string; pairs: LabelPairs } {
  if (labels === undefined) return { key: '', pairs: [] };
  const pairs = Object.keys(labels)
    .sort()
    .map((name) => [sanitizeLabelName(name), String(labels[name])] as const);
  return { key: pairs.map(([name, value]) => `${name}\u0001${value}`).join('\u0002'), pairs };
}
