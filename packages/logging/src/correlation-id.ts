/** Headers that carry a request's correlation id, most specific first. */
export const CORRELATION_HEADERS: readonly string[] = ['x-correlation-id', 'x-request-id', 'traceparent'];

const SAFE_ID = /^[A-Za-z0-9._:\-/]{1,128}$/;

/**
 * The correlation id of an incoming request, to bind with `logger.child({ correlationId })`.
 * For `traceparent` the W3C trace id is returned. Values that are not short plain ids are
 * ignored, so a client cannot inject text into the logs.
 */
export function correlationIdFromHeaders(
  headers: Readonly<Record<string, string | readonly string[] | undefined>> | Headers,
  names: readonly string[] = CORRELATION_HEADERS,
): string | undefined {
  for (const name of names) {
    const raw = headers instanceof Headers ? headers.get(name) : pickHeader(headers, name);
    if (raw === undefined || raw === null) continue;
    const value = raw.trim();
    if (name.toLowerCase() === 'traceparent') {
      const traceId = value.split('-')[1];
      if (traceId !== undefined && /^[0-9a-f]{32}$/.test(traceId)) return traceId;
      continue;
    }
    if (SAFE_ID.test(value)) return value;
  }
  return undefined;
}

const pickHeader = (headers: Readonly<Record<string, string | readonly string[] | undefined>>, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== wanted) continue;
    const value = headers[key];
    return typeof value === 'string' ? value : value?.[0];
  }
  return undefined;
};
