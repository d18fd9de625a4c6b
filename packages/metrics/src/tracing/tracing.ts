import { type HealthReport, type Instrumentation, MissingPackageError, type Resource, ResourceError } from '@entity/core';
import { type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import { createTracingInstrumentation, type SpanOptions } from './tracing-instrumentation.js';

/** OpenTelemetry tracing of runs, stages, plugins, tools and model calls (GenAI semantic conventions). */
export interface TracingOptions extends SpanOptions {
  /**
   * OTLP/HTTP traces URL (`http://collector:4318/v1/traces`). Default: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
   * else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. With no endpoint (and no provider below) tracing is
   * off and costs nothing. Exporting needs `@opentelemetry/sdk-trace-base`, `@opentelemetry/resources`
   * and `@opentelemetry/exporter-trace-otlp-http` installed; they are loaded only then.
   */
  endpoint?: string;
  /** Extra HTTP headers for the exporter (an API key of a hosted backend). Default: none. */
  headers?: Record<string, string>;
  /** `service.name` of exported spans. Default: `OTEL_SERVICE_NAME`, else `entity-agent`. */
  serviceName?: string;
  /** Longest wait before a batch of spans is sent, in ms. Default: 1000. */
  exportDelayMs?: number;
  /**
   * Use the globally registered `TracerProvider` instead (you set up the OpenTelemetry SDK yourself).
   * Default: false.
   */
  useGlobalTracerProvider?: boolean;
  /** A provider to use as is (code only; tests, custom SDK setups). */
  tracerProvider?: TracerProvider;
  /** Environment to read `OTEL_*` variables from. Default: `process.env`. */
  env?: Record<string, string | undefined>;
}

/** The tracing resource: a no-op until `start()` finds something to export to. */
export interface TracingResource extends Resource {
  readonly instrumentation: Instrumentation;
  /** Whether spans are being recorded. */
  readonly enabled: boolean;
  start(): Promise<void>;
  /** Sends spans still buffered. */
  flush(): Promise<void>;
  stop(): Promise<void>;
  healthCheck(): Promise<HealthReport>;
}

/** The lifecycle part of an SDK provider we create ourselves. */
interface OwnedProvider extends TracerProvider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const TRACER_NAME = '@entity/metrics';

/** The endpoint tracing exports to, from options or the standard OpenTelemetry variables. */
export function resolveTracesEndpoint(options: Pick<TracingOptions, 'endpoint' | 'env'> = {}): string | undefined {
  if (options.endpoint) return options.endpoint;
  const env = options.env ?? process.env;
  if (env.OTEL_SDK_DISABLED === 'true') return undefined;
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

const importOptional = async <T>(name: string): Promise<T> => {
  try {
    return (await import(name)) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new MissingPackageError(name, 'Exporting OpenTelemetry traces', { cause: error });
    }
    throw error;
  }
};

interface SdkTraceBase {
  BasicTracerProvider: new (config: { resource?: unknown; spanProcessors?: unknown[] }) => OwnedProvider;
  BatchSpanProcessor: new (exporter: unknown, config?: { scheduledDelayMillis?: number; maxQueueSize?: number; maxExportBatchSize?: number }) => unknown;
}
interface OtlpHttpExporter {
  OTLPTraceExporter: new (config: { url: string; headers?: Record<string, string> }) => unknown;
}
interface SdkResources {
  resourceFromAttributes(attributes: Record<string, string>): unknown;
}

/** Builds an SDK provider exporting over OTLP/HTTP, loading the optional packages now. */
async function createOtlpProvider(endpoint: string, options: TracingOptions): Promise<OwnedProvider> {
  const [sdk, exporterModule, resources] = await Promise.all([
    importOptional<SdkTraceBase>('@opentelemetry/sdk-trace-base'),
    importOptional<OtlpHttpExporter>('@opentelemetry/exporter-trace-otlp-http'),
    importOptional<SdkResources>('@opentelemetry/resources'),
  ]);
  const env = options.env ?? process.env;
  const exporter = new exporterModule.OTLPTraceExporter({ url: endpoint, ...(options.headers && { headers: options.headers }) });
  return new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': options.serviceName ?? env.OTEL_SERVICE_NAME ?? 'entity-agent' }),
    spanProcessors: [
      // Bounded queue: spans beyond it are dropped by the SDK rather than held while a collector is down.
      new sdk.BatchSpanProcessor(exporter, { scheduledDelayMillis: options.exportDelayMs ?? 1000, maxQueueSize: 4096, maxExportBatchSize: 512 }),
    ],
  });
}

/**
 * Creates the tracing resource. Its instrumentation does nothing until `start()` finds an
 * endpoint or a provider; then every operation of the engine becomes a span.
 */
export function createTracing(options: TracingOptions = {}): TracingResource {
  let active: Instrumentation | undefined;
  let owned: OwnedProvider | undefined;
  let startError: string | undefined;

  const use = (tracer: Tracer) => {
    active = createTracingInstrumentation(tracer, options);
  };

  return {
    instrumentation: {
      start(operation) {
        return active === undefined ? undefined : active.start(operation);
      },
    },
    get enabled() {
      return active !== undefined;
    },
    async start() {
      if (active !== undefined) return;
      if (options.tracerProvider) return use(options.tracerProvider.getTracer(TRACER_NAME));
      if (options.useGlobalTracerProvider) return use(trace.getTracer(TRACER_NAME));
      const endpoint = resolveTracesEndpoint(options);
      if (endpoint === undefined) return;
      if (!/^https?:\/\/[^/]/.test(endpoint) || !URL.canParse(endpoint)) {
        throw new ResourceError('tracing', `The OTLP endpoint "${endpoint}" is not a URL; write it like http://localhost:4318/v1/traces`, {
          code: 'TRACING_ENDPOINT_INVALID',
        });
      }
      try {
        owned = await createOtlpProvider(endpoint, options);
      } catch (error) {
        startError = error instanceof Error ? error.message : String(error);
        // An endpoint inherited from the environment must not stop an agent that never asked for tracing.
        if (options.endpoint === undefined && MissingPackageError.isInstance(error)) return;
        throw error;
      }
      use(owned.getTracer(TRACER_NAME));
    },
    async flush() {
      await owned?.forceFlush().catch(() => undefined);
    },
    async stop() {
      active = undefined;
      const provider = owned;
      owned = undefined;
      await provider?.shutdown().catch(() => undefined);
    },
    async healthCheck() {
      if (startError !== undefined) return { healthy: false, message: `tracing could not start: ${startError}` };
      return { healthy: true, message: active === undefined ? 'tracing off (no OTLP endpoint configured)' : 'tracing on' };
    },
  };
}
