import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-registry.js';

/**
 * A Node HTTP handler answering `GET` with the Prometheus exposition, for a `/metrics` route:
 * `http.createServer(prometheusHandler(metrics)).listen(9464)`.
 */
export function prometheusHandler(metrics: { prometheus(): string }): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let body: string;
    try {
      body = metrics.prometheus();
    } catch {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      return;
    }
    response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'content-length': Buffer.byteLength(body) });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
}
