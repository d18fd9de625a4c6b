import { describe, expect, it } from 'vitest';
import { parsePlan } from '../src/index.js';

const rules = { maxSteps: 3, toolNames: new Set(['search']), completedIds: new Set(['done1']) };
const problemOf = (reply: string) => {
  const parsed = parsePlan(reply, rules);
  return parsed.ok ? undefined : parsed.problem;
};

describe('parsePlan', () => {
  it('reads a plan from bare JSON, a fenced block or JSON among words, filling in dependsOn', () => {
    const steps = [{ id: 's1', task: 'search', tool: 'search', arguments: { q: 'x' } }, { id: 's2', task: 'sum up', dependsOn: ['s1', 'done1'] }];
    for (const reply of [JSON.stringify({ steps }), `\`\`\`json\n${JSON.stringify({ steps })}\n\`\`\``, `Here you go: ${JSON.stringify({ steps })} Hope it helps.`]) {
      expect(parsePlan(reply, rules)).toEqual({ ok: true, plan: { steps: [{ ...steps[0], dependsOn: [] }, steps[1]] } });
    }
  });

  it('names each problem so the model can fix it', () => {
    expect(problemOf('no plan here')).toMatch(/^the reply is not valid JSON/);
    expect(problemOf('{"steps": []}')).toMatch(/^the JSON is not a plan: .*steps/s);
    expect(problemOf('{"steps": [{"id": "a b", "task": "x"}]}')).toMatch(/a short id/);
    expect(problemOf(JSON.stringify({ steps: [1, 2, 3, 4].map((n) => ({ id: `s${n}`, task: 't' })) }))).toBe('the plan has 4 steps; at most 3 are allowed');
    expect(problemOf(JSON.stringify({ steps: [{ id: 'a', task: 't' }, { id: 'a', task: 't' }] }))).toBe('two steps have the id "a"; ids must be unique');
    expect(problemOf(JSON.stringify({ steps: [{ id: 'done1', task: 't' }] }))).toBe('step id "done1" is already used by a completed step; choose a new id');
    expect(problemOf(JSON.stringify({ steps: [{ id: 'a', task: 't', dependsOn: ['a'] }] }))).toBe('step "a" depends on itself');
    expect(problemOf(JSON.stringify({ steps: [{ id: 'a', task: 't', dependsOn: ['zz'] }] }))).toBe('step "a" depends on "zz", which is not a step of the plan');
    expect(problemOf(JSON.stringify({ steps: [{ id: 'a', task: 't', tool: 'rm' }] }))).toBe('step "a" uses tool "rm", which does not exist (tools: search)');
    expect(problemOf(JSON.stringify({ steps: [{ id: 'a', task: 't', dependsOn: ['c'] }, { id: 'b', task: 't', dependsOn: ['a'] }, { id: 'c', task: 't', dependsOn: ['b'] }] }))).toBe(
      'the steps depend on each other in a cycle: a → c → b → a',
    );
  });
});
