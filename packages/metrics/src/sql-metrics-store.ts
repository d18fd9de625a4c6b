import type { MetricLabels, Migration, SqlMemory } from '@entity/core';
import type { MetricEvent, MetricEventKind } from './metric-event.js';
import { DEFAULT_QUERY_LIMIT, type MetricsStore, type RunLogQuery, type SummaryQuery } from './metrics-store.js';
import { MemoryMetricsStore } from './memory-metrics-store.js';
import { latencyStats, type MetricsSummary, orderSummary } from './metrics-summary.js';
import { storableText } from './storable-text.js';

/** The migration owner under which this package keeps its tables. */
export const METRICS_MIGRATION_OWNER = '@entity/metrics';

const TABLE = 'entity_metric_events';

export const METRICS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'metric events',
    sql: `
      CREATE TABLE IF NOT EXISTS ${TABLE} (
        sequence BIGSERIAL PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        duration_ms DOUBLE PRECISION,
        run_id TEXT,
        user_id TEXT,
        conversation_id TEXT,
        stage TEXT,
        iteration INTEGER,
        operation TEXT,
        operation_id BIGINT,
        parent_id BIGINT,
        success BOOLEAN,
        error_type TEXT,
        value DOUBLE PRECISION,
        labels JSONB,
        model TEXT,
        provider TEXT,
        input_tokens BIGINT,
        output_tokens BIGINT,
        cost_usd DOUBLE PRECISION,
        metadata JSONB
      );
      CREATE INDEX IF NOT EXISTS ${TABLE}_run ON ${TABLE} (run_id, started_at) WHERE run_id IS NOT NULL;
      CREATE INDEX IF NOT EXISTS ${TABLE}_user ON ${TABLE} (user_id, started_at);
      CREATE INDEX IF NOT EXISTS ${TABLE}_time ON ${TABLE} (started_at);
    `,
  },
  // Version 2 is retired and its number must not be reused. It backfilled an id into every row
  // and made it NOT NULL in one transaction under a table lock: too slow for a large table, and
  // it ran even for readers. It never shipped in a release, but developer databases may have
  // applied it, and applied migrations are checksummed, so it is dropped from the list rather
  // than edited: the runner only applies listed versions. Version 3 brings both kinds of table
  // (version 1 alone, or 1 and 2) to the same shape.
  {
    version: 3,
    name: 'metric event ids without backfill',
    // Ids make the insert idempotent: a batch written again after a slow write landed is skipped.
    // Rows written before keep a NULL id (adding a column without a default rewrites nothing);
    // workers still on the old insert get one from the default. The partial unique index holds
    // no entry for old rows and lets ON CONFLICT (id) WHERE id IS NOT NULL find duplicates.
    sql: `
      ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS id UUID;
      ALTER TABLE ${TABLE} ALTER COLUMN id SET DEFAULT gen_random_uuid();
      ALTER TABLE ${TABLE} ALTER COLUMN id DROP NOT NULL;
      CREATE UNIQUE INDEX IF NOT EXISTS ${TABLE}_event_id ON ${TABLE} (id) WHERE id IS NOT NULL;
      DROP INDEX IF EXISTS ${TABLE}_id;
    `,
  },
];

/** Column list of the batch insert, in the JSON record shape it is decoded from. */
const RECORD_COLUMNS = `
  id uuid, kind text, name text, started_ms double precision, duration_ms double precision, run_id text, user_id text,
  conversation_id text, stage text, iteration integer, operation text, operation_id bigint, parent_id bigint,
  success boolean, error_type text, value double precision, labels jsonb, model text, provider text,
  input_tokens bigint, output_tokens bigint, cost_usd double precision, metadata jsonb`;

// One parameter carrying the whole batch as JSON: no parameter-count limit, one round trip.
const INSERT = `
  INSERT INTO ${TABLE} (id, kind, name, started_at, duration_ms, run_id, user_id, conversation_id, stage, iteration,
    operation, operation_id, parent_id, success, error_type, value, labels, model, provider, input_tokens,
    output_tokens, cost_usd, metadata)
  SELECT id, kind, name, to_timestamp(started_ms / 1000.0), duration_ms, run_id, user_id, conversation_id, stage, iteration,
    operation, operation_id, parent_id, success, error_type, value, labels, model, provider, input_tokens,
    output_tokens, cost_usd, metadata
  FROM jsonb_to_recordset($1::jsonb) AS batch(${RECORD_COLUMNS})
  ON CONFLICT (id) WHERE id IS NOT NULL DO NOTHING`;

/**
 * The id a row written before ids existed reads back with: UUID-shaped, unique per row (made from
 * its sequence number) and never equal to a random (version 4) UUID.
 */
const LEGACY_ID = `'00000000-0000-0000-0000-' || lpad(to_hex(sequence), 12, '0')`;

const selectEvents = (hasIdColumn: boolean) => `
  SELECT ${hasIdColumn ? `coalesce(id::text, ${LEGACY_ID})` : LEGACY_ID} AS id, kind, name,
    extract(epoch FROM started_at) * 1000 AS started_ms, duration_ms, run_id, user_id, conversation_id,
    stage, iteration, operation, operation_id, parent_id, success, error_type, value, labels, model, provider,
    input_tokens, output_tokens, cost_usd, metadata
  FROM ${TABLE}`;

/** Which table a reader found: none yet, the first version (no ids), or one with ids. */
type TableShape = 'missing' | 'without-ids' | 'with-ids';

// The table in the schema the memory creates its tables in: the search path ends in `public`, and an
// unqualified lookup would find public's table of the same name (someone else's) when ours is missing.
const OWN_TABLE = `to_regclass(format('%I.%I', coalesce(current_schema(), 'public'), '${TABLE}'))`;
const INSPECT = `
  SELECT ${OWN_TABLE} IS NOT NULL AS present,
    EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = ${OWN_TABLE} AND attname = 'id' AND NOT attisdropped) AS has_id`;

interface EventRow {
  id: string;
  kind: string;
  name: string;
  started_ms: number | string;
  duration_ms: number | null;
  run_id: string | null;
  user_id: string | null;
  conversation_id: string | null;
  stage: string | null;
  iteration: number | null;
  operation: string | null;
  operation_id: number | string | null;
  parent_id: number | string | null;
  success: boolean | null;
  error_type: string | null;
  value: number | null;
  labels: MetricLabels | string | null;
  model: string | null;
  provider: string | null;
  input_tokens: number | string | null;
  output_tokens: number | string | null;
  cost_usd: number | null;
  metadata: Record<string, unknown> | string | null;
}

const toRecord = (event: MetricEvent) => ({
  id: event.id,
  kind: event.kind,
  name: event.name,
  started_ms: event.startedAt,
  duration_ms: event.durationMs ?? null,
  run_id: event.runId ?? null,
  user_id: event.userId ?? null,
  conversation_id: event.conversationId ?? null,
  stage: event.stage ?? null,
  iteration: event.iteration ?? null,
  operation: event.operation ?? null,
  operation_id: event.operationId ?? null,
  parent_id: event.parentId ?? null,
  success: event.success ?? null,
  error_type: event.errorType ?? null,
  value: event.value ?? null,
  labels: event.labels ?? null,
  model: event.model ?? null,
  provider: event.provider ?? null,
  input_tokens: event.inputTokens ?? null,
  output_tokens: event.outputTokens ?? null,
  cost_usd: event.costUsd ?? null,
  metadata: event.metadata ?? null,
});

const json = <T>(value: T | string | null): T | undefined => (value === null ? undefined : typeof value === 'string' ? (JSON.parse(value) as T) : value);
const num = (value: number | string | null): number | undefined => (value === null ? undefined : Number(value));

const fromRow = (row: EventRow): MetricEvent => {
  const event: MetricEvent = { id: row.id, kind: row.kind as MetricEventKind, name: row.name, startedAt: Number(row.started_ms) };
  const set = <K extends keyof MetricEvent>(key: K, value: MetricEvent[K] | undefined | null) => {
    if (value !== undefined && value !== null) event[key] = value;
  };
  set('durationMs', row.duration_ms);
  set('runId', row.run_id);
  set('userId', row.user_id);
  set('conversationId', row.conversation_id);
  set('stage', row.stage);
  set('iteration', row.iteration);
  set('operation', row.operation);
  set('operationId', num(row.operation_id));
  set('parentId', num(row.parent_id));
  set('success', row.success);
  set('errorType', row.error_type);
  set('value', row.value);
  set('labels', json<MetricLabels>(row.labels));
  set('model', row.model);
  set('provider', row.provider);
  set('inputTokens', num(row.input_tokens));
  set('outputTokens', num(row.output_tokens));
  set('costUsd', row.cost_usd);
  set('metadata', json<Record<string, unknown>>(row.metadata));
  return event;
};

const LATENCY = `count(*)::int AS count, (count(*) FILTER (WHERE success = false))::int AS errors,
  coalesce(avg(duration_ms), 0) AS avg, coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms), 0) AS p50,
  coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms), 0) AS p95,
  coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms), 0) AS p99`;

interface LatencyRow {
  count: number;
  errors: number;
  avg: number | string;
  p50: number | string;
  p95: number | string;
  p99: number | string;
}

const stats = (row: LatencyRow | undefined) =>
  latencyStats(row?.count ?? 0, row?.errors ?? 0, Number(row?.avg ?? 0), Number(row?.p50 ?? 0), Number(row?.p95 ?? 0), Number(row?.p99 ?? 0));

/** Events in the memory resource's database, shared by every worker of the agent. */
export class SqlMetricsStore implements MetricsStore {
  readonly kind = 'database';
  readonly #database: SqlMemory;
  #shape: TableShape = 'with-ids';

  constructor(database: SqlMemory) {
    this.#database = database;
  }

  /** Creates or upgrades the table; safe to call from several workers at once. */
  async migrate(): Promise<void> {
    await this.#database.migrate(METRICS_MIGRATION_OWNER, METRICS_MIGRATIONS);
    this.#shape = 'with-ids';
  }

  /**
   * For readers that must not change the database (`readOnly`): finds the table as it is, of
   * whatever version, without migrating it. A missing table reads as no events.
   */
  async inspect(): Promise<void> {
    const result = await this.#database.sql<{ present: boolean; has_id: boolean }>(INSPECT);
    const row = result.rows[0];
    this.#shape = !row?.present ? 'missing' : row.has_id ? 'with-ids' : 'without-ids';
  }

  async append(events: readonly MetricEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.#database.sql(INSERT, [JSON.stringify(events.map((event) => storableText(toRecord(event))))]);
  }

  async query(query: RunLogQuery): Promise<MetricEvent[]> {
    if (this.#shape === 'missing') return [];
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (column: string, operator: string, value: unknown) => {
      params.push(value);
      conditions.push(`${column} ${operator} $${params.length}`);
    };
    if (query.runId !== undefined) where('run_id', '=', query.runId);
    if (query.userId !== undefined) where('user_id', '=', query.userId);
    if (query.conversationId !== undefined) where('conversation_id', '=', query.conversationId);
    if (query.from !== undefined) where('started_at', '>=', query.from.toISOString());
    if (query.to !== undefined) where('started_at', '<', query.to.toISOString());
    params.push(query.limit ?? DEFAULT_QUERY_LIMIT);
    const text = `${selectEvents(this.#shape === 'with-ids')} ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY started_at, operation_id NULLS LAST, sequence LIMIT $${params.length}`;
    const result = await this.#database.sql<EventRow>(text, params);
    return result.rows.map(fromRow);
  }

  async summary(query: SummaryQuery): Promise<MetricsSummary> {
    if (this.#shape === 'missing') return new MemoryMetricsStore().summary(query);
    const params: unknown[] = [query.from.toISOString(), query.to.toISOString()];
    let window = 'started_at >= $1 AND started_at < $2';
    if (query.userId !== undefined) {
      params.push(query.userId);
      window += ' AND user_id = $3';
    }
    const sql = <Row>(text: string) => this.#database.sql<Row>(text, params).then((result) => result.rows);
    const [runs, plugins, tools, resources, models, counters, observations] = await Promise.all([
      sql<LatencyRow & { users: number }>(`SELECT ${LATENCY}, count(DISTINCT user_id)::int AS users FROM ${TABLE} WHERE kind = 'run' AND ${window}`),
      sql<LatencyRow & { stage: string; name: string }>(
        `SELECT coalesce(stage, '') AS stage, name, ${LATENCY} FROM ${TABLE} WHERE kind = 'plugin' AND ${window} GROUP BY stage, name`,
      ),
      sql<LatencyRow & { name: string }>(`SELECT name, ${LATENCY} FROM ${TABLE} WHERE kind = 'tool' AND ${window} GROUP BY name`),
      sql<LatencyRow & { name: string; operation: string; input: string | number; output: string | number; cost: number }>(
        `SELECT name, coalesce(operation, '') AS operation, ${LATENCY}, coalesce(sum(input_tokens), 0) AS input,
          coalesce(sum(output_tokens), 0) AS output, coalesce(sum(cost_usd), 0) AS cost
        FROM ${TABLE} WHERE kind = 'resource' AND ${window} GROUP BY name, operation`,
      ),
      sql<{ model: string; provider: string; calls: number; input: string | number; output: string | number; cost: number }>(
        `SELECT model, coalesce(provider, '') AS provider, count(*)::int AS calls, coalesce(sum(input_tokens), 0) AS input,
          coalesce(sum(output_tokens), 0) AS output, coalesce(sum(cost_usd), 0) AS cost
        FROM ${TABLE} WHERE kind = 'resource' AND model IS NOT NULL AND ${window} GROUP BY model, provider`,
      ),
      sql<{ name: string; labels: MetricLabels | string | null; value: number }>(
        `SELECT name, labels, sum(value) AS value FROM ${TABLE} WHERE kind = 'counter' AND ${window} GROUP BY name, labels`,
      ),
      sql<{ name: string; count: number; avg: number; p50: number; p95: number; p99: number }>(
        `SELECT name, count(*)::int AS count, avg(value) AS avg, percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS p50,
          percentile_cont(0.95) WITHIN GROUP (ORDER BY value) AS p95, percentile_cont(0.99) WITHIN GROUP (ORDER BY value) AS p99
        FROM ${TABLE} WHERE kind = 'observation' AND ${window} GROUP BY name`,
      ),
    ]);
    const resourceList = resources.map((row) => ({
      resource: row.name,
      operation: row.operation,
      ...stats(row),
      inputTokens: Number(row.input),
      outputTokens: Number(row.output),
      costUsd: Number(row.cost),
    }));
    const tokens = { input: 0, output: 0, total: 0, costUsd: 0 };
    for (const resource of resourceList) {
      tokens.input += resource.inputTokens;
      tokens.output += resource.outputTokens;
      tokens.costUsd += resource.costUsd;
    }
    tokens.total = tokens.input + tokens.output;
    return orderSummary({
      from: query.from,
      to: query.to,
      runs: { ...stats(runs[0]), users: runs[0]?.users ?? 0 },
      plugins: plugins.map((row) => ({ stage: row.stage, plugin: row.name, ...stats(row) })),
      tools: tools.map((row) => ({ tool: row.name, ...stats(row) })),
      resources: resourceList,
      models: models.map((row) => ({
        model: row.model,
        provider: row.provider,
        calls: row.calls,
        inputTokens: Number(row.input),
        outputTokens: Number(row.output),
        costUsd: Number(row.cost),
      })),
      tokens,
      counters: counters.map((row) => ({ name: row.name, labels: json<MetricLabels>(row.labels) ?? {}, value: Number(row.value) })),
      observations: observations.map((row) => {
        const observed = stats({ count: row.count, errors: 0, avg: row.avg, p50: row.p50, p95: row.p95, p99: row.p99 });
        return { name: row.name, count: row.count, avg: observed.avgMs, p50: observed.p50Ms, p95: observed.p95Ms, p99: observed.p99Ms };
      }),
    });
  }

  async prune(before: Date): Promise<number> {
    if (this.#shape === 'missing') return 0;
    const result = await this.#database.sql(`DELETE FROM ${TABLE} WHERE started_at < $1`, [before.toISOString()]);
    return result.rowCount;
  }
}
