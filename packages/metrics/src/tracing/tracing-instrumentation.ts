import type { Instrumentation, OperationEnd, OperationStart } from '@entity/core';
import { type Attributes, type Context, context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';

/** Resource methods that are model calls, and their GenAI operation names. */
const MODEL_OPERATIONS: Readonly<Record<string, string>> = {
  chat: 'chat',
  stream: 'chat',
  generateObject: 'chat',
  embed: 'embeddings',
};

/** What the spans say about the agent, beyond what each operation carries. */
export interface SpanOptions {
  /** `gen_ai.agent.name` of run spans. Default: `entity`. */
  agentName?: string;
  /** Put the user id on run spans as `enduser.id`. Off by default: ids may be personal data leaving the process. */
  includeUserId?: boolean;
  /** Spans kept open at once; beyond it new operations are not traced (a guard against leaks). Default: 10000. */
  maxOpenSpans?: number;
}

const timeOrigin = performance.timeOrigin;

/** Starts a span when the engine starts an operation and ends it with the outcome, as a child of its parent's span. */
export function createTracingInstrumentation(tracer: Tracer, options: SpanOptions = {}): Instrumentation & { readonly openSpans: number } {
  const agentName = options.agentName ?? 'entity';
  const maxOpenSpans = options.maxOpenSpans ?? 10_000;
  const open = new Map<number, Span>();

  const parentContext = (operation: OperationStart): Context => {
    const parent = operation.parentId === undefined ? undefined : open.get(operation.parentId);
    // A run with no parent joins whatever span is active (an HTTP request span, say).
    return parent === undefined ? context.active() : trace.setSpan(context.active(), parent);
  };

  const describe = (operation: OperationStart): { name: string; kind: SpanKind; attributes: Attributes } => {
    const common: Attributes = {};
    if (operation.runId !== undefined) common['entity.run.id'] = operation.runId;
    if (operation.stage !== undefined) common['entity.stage'] = operation.stage;
    if (operation.iteration !== undefined) common['entity.iteration'] = operation.iteration;
    if (operation.conversationId !== undefined) common['gen_ai.conversation.id'] = operation.conversationId;
    switch (operation.kind) {
      case 'run':
        if (options.includeUserId && operation.userId !== undefined) common['enduser.id'] = operation.userId;
        return {
          name: `invoke_agent ${agentName}`,
          kind: SpanKind.INTERNAL,
          attributes: { ...common, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': agentName },
        };
      case 'stage':
        return { name: `stage ${operation.name}`, kind: SpanKind.INTERNAL, attributes: common };
      case 'plugin':
        return { name: `plugin ${operation.name}`, kind: SpanKind.INTERNAL, attributes: { ...common, 'entity.plugin.name': operation.name } };
      case 'tool':
        return {
          name: `execute_tool ${operation.name}`,
          kind: SpanKind.INTERNAL,
          attributes: { ...common, 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': operation.name, 'gen_ai.tool.type': 'function' },
        };
      default: {
        const method = operation.operation ?? 'call';
        const resource = { ...common, 'entity.resource.name': operation.name, 'entity.resource.operation': method };
        const genAiOperation = MODEL_OPERATIONS[method];
        if (genAiOperation !== undefined) {
          return { name: genAiOperation, kind: SpanKind.CLIENT, attributes: { ...resource, 'gen_ai.operation.name': genAiOperation } };
        }
        return { name: `${operation.name}.${method}`, kind: SpanKind.CLIENT, attributes: resource };
      }
    }
  };

  const finish = (operation: OperationStart, span: Span, startedAt: number, end: OperationEnd) => {
    const attributes = end.attributes;
    if (attributes !== undefined) {
      const { model, provider, inputTokens, outputTokens, iterations } = attributes;
      if (typeof model === 'string') {
        span.setAttribute('gen_ai.request.model', typeof attributes.requestModel === 'string' ? attributes.requestModel : model);
        span.setAttribute('gen_ai.response.model', model);
        if (operation.kind === 'resource' && MODEL_OPERATIONS[operation.operation ?? ''] !== undefined) {
          span.updateName(`${MODEL_OPERATIONS[operation.operation ?? '']} ${model}`);
        }
      }
      if (typeof provider === 'string') {
        span.setAttribute('gen_ai.provider.name', provider);
        span.setAttribute('gen_ai.system', provider);
      }
      if (typeof inputTokens === 'number') span.setAttribute('gen_ai.usage.input_tokens', inputTokens);
      if (typeof outputTokens === 'number') span.setAttribute('gen_ai.usage.output_tokens', outputTokens);
      if (typeof iterations === 'number') span.setAttribute('entity.iterations', iterations);
    }
    if (!end.success) {
      const errorType = end.errorType ?? end.error?.name ?? 'Error';
      span.setAttribute('error.type', errorType);
      // The error type only: messages can carry user content or secrets to a third-party backend.
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
    }
    span.end(startedAt + end.durationMs);
  };

  return {
    get openSpans() {
      return open.size;
    },
    start(operation: OperationStart) {
      if (open.size >= maxOpenSpans) return undefined;
      try {
        const startedAt = timeOrigin + operation.startTime;
        const { name, kind, attributes } = describe(operation);
        const span = tracer.startSpan(name, { kind, attributes, startTime: startedAt }, parentContext(operation));
        open.set(operation.id, span);
        return (end: OperationEnd) => {
          open.delete(operation.id);
          try {
            finish(operation, span, startedAt, end);
          } catch {
            // Tracing never breaks a turn.
          }
        };
      } catch {
        return undefined;
      }
    },
  };
}
