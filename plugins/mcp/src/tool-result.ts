import { serializeToolValue } from '@entity/core/internal';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

type ContentBlock = CallToolResult['content'][number];

/**
 * What the model reads of one content block. Binary data (images, audio, blobs) is described, not
 * passed on: a model reads a tool result as text, and base64 would only fill its context.
 */
function readableBlock(block: ContentBlock): unknown {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'image':
    case 'audio':
      return { type: block.type, mimeType: block.mimeType, note: `${block.type} data (${Math.ceil((block.data.length * 3) / 4)} bytes) not shown` };
    case 'resource':
      return 'text' in block.resource
        ? { type: 'resource', uri: block.resource.uri, text: block.resource.text }
        : { type: 'resource', uri: block.resource.uri, mimeType: block.resource.mimeType, note: 'binary contents not shown' };
    case 'resource_link':
      return { type: 'resource_link', uri: block.uri, name: block.name, ...(block.description ? { description: block.description } : {}) };
    default:
      return block;
  }
}

/**
 * The value of an MCP tool result as Entity passes it on: the structured content when the tool
 * gives one, the text when it is all text, otherwise the list of (readable) blocks.
 */
export function toolResultValue(result: CallToolResult): unknown {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const blocks = result.content ?? [];
  if (blocks.every((block) => block.type === 'text')) return blocks.map((block) => (block as { text: string }).text).join('\n');
  return blocks.map(readableBlock);
}

/**
 * The text of an error result (`isError: true`), written by the server for the model: cut at
 * `maxBytes` (the server's `maxResultBytes`), so an error cannot flood the model's context where
 * a result could not.
 */
export function toolErrorText(result: CallToolResult, maxBytes: number): string {
  const text = (result.content ?? [])
    .filter((block): block is Extract<ContentBlock, { type: 'text' }> => block.type === 'text')
    .map((block) => block.text)
    .join('\n')
    .trim();
  if (!text) return 'the tool reported an error without a message';
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  // A cut inside a multi-byte character decodes to U+FFFD; harmless in a message for the model.
  return `${bytes.subarray(0, maxBytes).toString('utf8')}… (error message cut at ${maxBytes} bytes of ${bytes.length})`;
}

/** UTF-8 size of what the model would read of `value`. */
export function resultBytes(value: unknown): number {
  return Buffer.byteLength(serializeToolValue(value), 'utf8');
}
