import { formatSSEErrorEvent, formatSSEEvent, SSE_HEADERS } from '@a2a-js/sdk';
import { A2A_ERROR_CODE } from '@a2a-js/sdk/errors';
import { JsonRpcTransportHandler } from '@a2a-js/sdk/server';

type JsonRpcId = string | number | null;

const JSON_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' };

/** A JSON-RPC error envelope for `error` (an SDK error keeps its A2A code; anything else is an internal error). */
type ErrorMapper = (error: unknown) => { code: number; message: string };

export function jsonRpcError(id: JsonRpcId, error: unknown, status?: number, mapError: ErrorMapper = JsonRpcTransportHandler.mapToJSONRPCError): Response {
  const mapped = mapError(error);
  // As the SDK's own transports answer: A2A errors are HTTP 200 with an error body; a fault of the server is 500.
  const httpStatus = status ?? (mapped.code === A2A_ERROR_CODE.INTERNAL_ERROR ? 500 : 200);
  return new Response(JSON.stringify({ jsonrpc: '2.0', id, error: mapped }), { status: httpStatus, headers: JSON_HEADERS });
}

export function jsonRpcResult(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: JSON_HEADERS });
}

/**
 * Server-sent events from the SDK's stream of JSON-RPC responses. Pulled one event at a time,
 * so a slow reader holds the task's events back instead of growing a buffer; a reader that goes
 * away stops the stream (the task itself goes on, as A2A tasks outlive their streams: `GetTask`
 * and `SubscribeToTask` still reach it).
 */
export async function jsonRpcEventStream(id: JsonRpcId, stream: AsyncGenerator<unknown, void, undefined>, heartbeatMs: number, mapError: ErrorMapper): Promise<Response> {
  let first: IteratorResult<unknown, void>;
  try {
    first = await stream.next();
  } catch (error) {
    return jsonRpcError(id, error, undefined, mapError);
  }
  const encoder = new TextEncoder();
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stop = () => clearInterval(heartbeat);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(formatSSEEvent(first.value)));
      // A comment line now and then: a long tool call sends no events, and proxies drop idle streams.
      heartbeat = setInterval(() => controller.enqueue(encoder.encode(': keep-alive\n\n')), heartbeatMs);
      heartbeat.unref?.();
    },
    async pull(controller) {
      try {
        const next = await stream.next();
        if (next.done) {
          stop();
          controller.close();
        } else controller.enqueue(encoder.encode(formatSSEEvent(next.value)));
      } catch (error) {
        stop();
        controller.enqueue(encoder.encode(formatSSEErrorEvent({ jsonrpc: '2.0', id, error: mapError(error) })));
        controller.close();
      }
    },
    async cancel() {
      stop();
      await stream.return(undefined);
    },
  });
  return new Response(body, { status: 200, headers: { ...SSE_HEADERS } });
}
