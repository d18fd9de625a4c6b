// Wall time of one PlanAndExecute turn whose plan has 6 independent tool steps of 50 ms each,
// by `concurrency`, against an instant scripted model: the pattern's own overhead, and what
// running independent steps in parallel saves. `pnpm --filter @entity/plugin-reasoning bench`
// (needs `pnpm turbo run build --filter=@entity/plugin-reasoning...`).
import { Agent, defineTool, inMemoryLogger, inMemoryMemory } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { z } from 'zod';
import { planAndExecutePlugin } from '../dist/index.js';

const STEPS = 6;
const STEP_MS = 50;
const TURNS = 20;
const wait = defineTool({
  name: 'wait',
  description: 'Waits',
  input: z.object({ n: z.number() }),
  execute: ({ n }) => new Promise((resolve) => setTimeout(() => resolve(n), STEP_MS)),
});
const plan = JSON.stringify({ steps: Array.from({ length: STEPS }, (_, n) => ({ id: `s${n}`, task: `wait ${n}`, tool: 'wait', arguments: { n } })) });

const rows: Record<string, Record<string, string>> = {};
for (const concurrency of [1, 2, 3, 6]) {
  const llm = scriptedLLM((request) => (String(request.messages[0]?.content).includes('Reply with the plan as JSON only') ? plan : 'done'), { recordRequests: false });
  const agent = new Agent({ resources: { llm, memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) }, tools: [wait], zeroConfig: false });
  agent.use(planAndExecutePlugin({ concurrency }));
  await agent.chat('warm up');
  const durations: number[] = [];
  for (let turn = 0; turn < TURNS; turn++) {
    const start = performance.now();
    const result = await agent.chat('go');
    durations.push(performance.now() - start);
    if (result.text !== 'done') throw new Error(`unexpected answer: ${result.text}`);
  }
  await agent.stop();
  durations.sort((a, b) => a - b);
  const median = durations[Math.floor(TURNS / 2)]!;
  const ideal = Math.ceil(STEPS / concurrency) * STEP_MS;
  rows[`concurrency ${concurrency}`] = { 'median turn': `${median.toFixed(1)} ms`, 'steps alone': `${ideal} ms`, overhead: `${(median - ideal).toFixed(1)} ms` };
}
console.table(rows);
