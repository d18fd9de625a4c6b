// The loopback OpenAI-compatible model server (tooling/test-servers), in its own process so its
// CPU time is not counted against the contender. Every turn is the same two calls: the first asks
// for the `add` tool, the second (which carries the tool result) answers with text.
import { startOpenAIServer } from '@entity/test-servers';

const server = await startOpenAIServer({});
server.respondWith((request) => {
  const messages = (request.body as { messages: { role: string; content?: unknown }[] }).messages;
  const last = messages.at(-1);
  if (last?.role === 'tool') return { text: `2 + 3 = ${String(last.content)}`, usage: { inputTokens: 40, outputTokens: 8 } };
  return { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }], usage: { inputTokens: 30, outputTokens: 12 } };
});
// The server records every request for tests; a benchmark sends hundreds of thousands.
const forget = setInterval(() => {
  server.requests.length = 0;
  server.modelCalls.length = 0;
}, 500);
process.send!({ baseURL: `${server.origin}/v1` });
process.on('message', async () => {
  clearInterval(forget);
  await server.close();
  process.exit(0);
});
