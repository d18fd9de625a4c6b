const LINE_BREAK = /\r\n|\r|\n/;
const HAS_LINE_BREAK = /[\r\n]/;

/**
 * One Server-Sent Event, framed byte for byte as Hono's `writeSSE` frames it (`event:`, one
 * `data:` line per line of data, `id:`, then a blank line). Built synchronously because a run's
 * events are written one per token: `writeSSE` first resolves the data as a possibly-async HTML
 * callback (an extra promise per event) and splits it with a regular expression, work a JSON
 * line never needs. Data with line breaks is still split, and an event name or id with one is
 * refused, as `writeSSE` does, so a frame can never be forged.
 */
export function sseFrame(message: { event: string; data: string; id: string }): string {
  for (const key of ['event', 'id'] as const) {
    if (HAS_LINE_BREAK.test(message[key])) throw new Error(`${key} must not contain "\\r" or "\\n"`);
  }
  const data = HAS_LINE_BREAK.test(message.data) ? message.data.split(LINE_BREAK).join('\ndata: ') : message.data;
  return `${message.event ? `event: ${message.event}\n` : ''}data: ${data}\nid: ${message.id}\n\n`;
}
