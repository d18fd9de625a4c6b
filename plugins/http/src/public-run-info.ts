import type { AgentEvent, ChatResult, RunInfo } from '@entity/core';

/**
 * Run info as clients see it. Raw error text (exception messages, stack-derived strings,
 * what a failing tool threw) stays in the logs: a failure shows its stage, plugin and type only.
 */
export interface PublicRunInfo {
  runId: string;
  userId: string;
  conversationId: string;
  iterations: number;
  durationMs: number;
  usage: RunInfo['usage'];
  toolCalls: { callId: string; name: string; arguments: unknown; success: boolean; durationMs: number }[];
  sources?: RunInfo['sources'];
  annotations?: RunInfo['annotations'];
  failure?: { stage: string; plugin: string; errorType: string };
}

export function publicRunInfo(info: RunInfo): PublicRunInfo {
  return {
    runId: info.runId,
    userId: info.userId,
    conversationId: info.conversationId,
    iterations: info.iterations,
    durationMs: info.durationMs,
    usage: info.usage,
    toolCalls: info.toolCalls.map(({ callId, name, arguments: args, success, durationMs }) => ({ callId, name, arguments: args, success, durationMs })),
    ...(info.sources ? { sources: info.sources } : {}),
    ...(info.annotations ? { annotations: info.annotations } : {}),
    ...(info.failure ? { failure: { stage: info.failure.stage, plugin: info.failure.plugin, errorType: info.failure.errorType } } : {}),
  };
}

/** The body of a successful `POST /v1/chat`. */
export interface PublicChatResult {
  text: string;
  /** The answer in the requested `output` schema (its JSON form); absent without `output` or when the run failed. */
  output?: unknown;
  info: PublicRunInfo;
}

export function publicChatResult(result: ChatResult): PublicChatResult {
  // The JSON form (`response`), not `output` itself: a schema's transforms may give non-JSON values.
  return { text: result.text, ...('output' in result ? { output: result.response } : {}), info: publicRunInfo(result.info) };
}

/** An agent event made safe to send: the same shape, without raw error text. */
export function publicEvent(event: AgentEvent): Record<string, unknown> {
  switch (event.type) {
    case 'tool-result': {
      const { error: _error, ...rest } = event;
      return rest;
    }
    case 'done':
      return { type: 'done', ...publicChatResult(event.result) };
    case 'nested':
      // Another agent's run under a tool call (agentTool, a hand-off): its events follow the same rules, at any depth.
      return { type: 'nested', callId: event.callId, agent: event.agent, event: publicEvent(event.event) };
    default:
      // `error` events already carry the safe message, never the exception's.
      return event;
  }
}
