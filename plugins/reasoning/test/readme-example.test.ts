// The README's extension example, verbatim (between the markers), run against scripted replies.
import { readFileSync } from 'node:fs';
import { defineTool, ToolError } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type PatternRun, type Plan, PlanAndExecute, type PlanAndExecuteSettings, type PlanRequest, type StepFailure } from '../src/index.js';
import { agentWith, systemOf } from './helpers.js';

// README example: start
type Run = PatternRun<PlanAndExecuteSettings>;

/** Plans from a fixed playbook for known requests, and never replans after a payment step failed. */
class PlaybookPlanner extends PlanAndExecute {
  protected override async buildPlan(run: Run, request: PlanRequest): Promise<Plan> {
    if (!request.failure && run.context.message.startsWith('/refund ')) {
      const order = run.context.message.slice('/refund '.length);
      return {
        steps: [
          { id: 'order', task: 'find the order', tool: 'lookup_order', arguments: { id: order }, dependsOn: [] },
          { id: 'refund', task: 'refund it', tool: 'refund', arguments: { id: order }, dependsOn: ['order'] },
        ],
      };
    }
    return super.buildPlan(run, request);
  }

  protected override shouldReplan(_run: Run, failure: StepFailure): boolean {
    return failure.step.tool !== 'refund';
  }
}
// README example: end

describe('the README extension example', () => {
  it('is the code in the README', () => {
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const example = source.split('// README example: start\n')[1]!.split('// README example: end')[0]!.trim();
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(example);
  });

  const refunded: string[] = [];
  const tools = [
    defineTool({ name: 'lookup_order', description: 'Finds an order', input: z.object({ id: z.string() }), execute: ({ id }) => ({ id, total: 20 }) }),
    defineTool({
      name: 'refund',
      description: 'Refunds an order',
      input: z.object({ id: z.string() }),
      execute: ({ id }) => {
        if (id === 'locked') throw new ToolError('refund', 'order is locked');
        refunded.push(id);
        return 'refunded';
      },
    }),
  ];

  it('uses the playbook without asking the model for a plan, and does not replan after a failed refund', async () => {
    const { agent, llm } = agentWith(new PlaybookPlanner({ concurrency: 2 }).plugin(), () => 'Your order was refunded.', { tools });
    const result = await agent.chat('/refund 7');
    expect(result.text).toBe('Your order was refunded.');
    expect(refunded).toEqual(['7']);
    expect(llm.requests.map((request) => systemOf(request).includes('Reply with the plan as JSON only'))).toEqual([false]);

    const failed = await agent.chat('/refund locked');
    expect(failed.info.failure).toMatchObject({ code: 'REASONING_PLAN_FAILED' });
    expect(llm.requests).toHaveLength(1);
  });
});
