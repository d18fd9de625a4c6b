/** A tool call the scripted model makes. */
export interface ScriptedToolCall {
  /** Provider-style id; generated (`call_…`, `toolu_…`) when omitted. */
  id?: string;
  name: string;
  /** Arguments as an object (serialised by the server) or as a raw string (sent verbatim, so tests can send broken JSON). */
  arguments: unknown;
}

/** An error the server answers with instead of a reply, in the provider's error format. */
export interface ScriptedError {
  /** HTTP status (429, 500, 503, 529, 400...). */
  status: number;
  /** Error message. Default: the provider's usual text for the status. */
  message?: string;
  /** Provider error type (`rate_limit_error`, `server_error`...). Default: derived from the status. */
  type?: string;
  /** Value of the `retry-after` header in seconds (or an HTTP date string). */
  retryAfter?: number | string;
  /** Value of the `retry-after-ms` header (OpenAI-style). */
  retryAfterMs?: number;
}

/** What the scripted model does for one request. Everything is optional; an empty reply says "ok". */
export interface ScriptedReply {
  /** Assistant text. Streams split it into word-sized deltas. */
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Default: `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  /** Token counts reported in usage. Default: estimated from characters (4 per token). */
  usage?: { inputTokens?: number; outputTokens?: number };
  /** Answer with this error instead. */
  error?: ScriptedError;
  /** Wait this long before sending response headers (timeouts, slow models). */
  delayMs?: number;
  /** Wait this long between streamed chunks (abort mid-stream). */
  chunkDelayMs?: number;
  /**
   * Send a broken payload: `invalid-json` cuts the JSON body (or one stream event) in half;
   * `unexpected-shape` sends valid JSON that lacks the fields the API documents.
   */
  malformed?: 'invalid-json' | 'unexpected-shape';
  /** Streams only: after this many chunks, send the provider's in-stream error event and stop. */
  streamErrorAfterChunks?: number;
  /** Streams only: after this many chunks, destroy the socket without finishing the response. */
  disconnectAfterChunks?: number;
  /** Model name reported back. Default: the requested model. */
  model?: string;
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined for bodiless requests and unparsable bodies. */
  body: unknown;
  /** The raw body text. */
  rawBody: string;
}

/** Decides the reply for a request; runs when no queued reply is waiting. */
export type Responder = (request: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;

/** A rough token count the way providers report them for short English text: ~4 characters per token. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

/** Splits text into word-sized deltas (leading whitespace kept with the word), the way models stream. */
export function splitIntoDeltas(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? (text.length > 0 ? [text] : []);
}

/** Splits a string into `parts` roughly equal pieces (tool-argument deltas). */
export function splitEvenly(text: string, parts: number): string[] {
  if (text.length === 0) return [''];
  const size = Math.max(1, Math.ceil(text.length / parts));
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

export function serialiseArguments(args: unknown): string {
  return typeof args === 'string' ? args : JSON.stringify(args ?? {});
}

/**
 * A deterministic embedding: the same text always gives the same unit vector, different texts
 * give different ones, and texts sharing words point in similar directions (bag of hashed words).
 */
export function deterministicEmbedding(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [text];
  for (const word of words) {
    let hash = 2166136261;
    for (let index = 0; index < word.length; index++) {
      hash ^= word.charCodeAt(index);
      hash = Math.imul(hash, 16777619);
    }
    const slot = (hash >>> 0) % dimensions;
    vector[slot] = (vector[slot] ?? 0) + ((hash >>> 31) === 0 ? 1 : -1);
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

let idCounter = 0;
/** Ids shaped like the provider's (`chatcmpl-…`, `call_…`, `msg_…`, `toolu_…`). */
export function providerId(prefix: string): string {
  idCounter++;
  return `${prefix}${Date.now().toString(36)}${idCounter.toString(36).padStart(6, '0')}`;
}
