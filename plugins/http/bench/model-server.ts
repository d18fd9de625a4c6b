// The loopback OpenAI-compatible model server, in its own process: every answer waits the fixed
// latency (ENTITY_BENCH_MODEL_MS, default 50 ms) before streaming a short reply.
import { startOpenAIServer } from '@entity/test-servers';

const latencyMs = Number(process.argv[2] ?? 50);
const server = await startOpenAIServer({
  defaultReply: { text: 'The parcel left the depot this morning and arrives tomorrow.', delayMs: latencyMs, usage: { inputTokens: 24, outputTokens: 12 } },
});
process.send!({ baseURL: server.baseURL });
process.on('message', async () => {
  await server.close();
  process.exit(0);
});
