import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../src/openapi-document.js';
import { endpointTable } from './endpoint-table.js';

const DOCS = new URL('../../../docs/http-api.md', import.meta.url);
const START = '<!-- endpoints:start (generated from the OpenAPI document by plugins/http/test/http-api-docs.test.ts) -->';
const END = '<!-- endpoints:end -->';

describe('docs/http-api.md', () => {
  it('lists every route of the OpenAPI document, as generated from it', () => {
    const document = openApiDocument({ agentName: 'my-agent', modelId: 'my-agent', maxMessageChars: 100_000 }) as Parameters<typeof endpointTable>[0];
    const table = endpointTable(document);
    const text = readFileSync(DOCS, 'utf8');
    const start = text.indexOf(START);
    const end = text.indexOf(END);
    expect(start, `docs/http-api.md needs the markers ${START} … ${END}`).toBeGreaterThan(-1);
    const current = text.slice(start + START.length, end).trim();
    if (process.env.UPDATE_HTTP_API_DOCS === '1') {
      writeFileSync(DOCS, `${text.slice(0, start + START.length)}\n${table}\n${text.slice(end)}`);
      return;
    }
    expect(current, 'the endpoint table is stale: run UPDATE_HTTP_API_DOCS=1 npx vitest run test/http-api-docs.test.ts in plugins/http').toBe(table);
  });
});
