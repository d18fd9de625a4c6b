import { z } from 'zod';

const STEP_ID = /^[\w.-]{1,64}$/;

/** One step of a plan as the model writes it. */
export const planStepSchema = z.object({
  id: z.string().regex(STEP_ID, 'a short id: letters, digits, "_", "-" or "." (at most 64)'),
  task: z.string().trim().min(1).max(2_000),
  dependsOn: z.array(z.string()).max(50).default([]),
  /** Run this tool directly with `arguments` instead of asking the model to do the step. */
  tool: z.string().min(1).optional(),
  arguments: z.record(z.string(), z.unknown()).optional(),
});

/** A plan: the steps, each naming the steps whose results it needs. */
export const planSchema = z.object({ steps: z.array(planStepSchema).min(1) });

export type PlanStep = z.output<typeof planStepSchema>;
export type Plan = z.output<typeof planSchema>;

export interface PlanRules {
  /** Most steps a plan may have. */
  maxSteps: number;
  /** Registered tool names; a step's `tool` must be one of them. */
  toolNames: ReadonlySet<string>;
  /** Ids of steps finished under an earlier plan: new steps may depend on them but not reuse them. */
  completedIds: ReadonlySet<string>;
}

export type PlanParse = { ok: true; plan: Plan } | { ok: false; problem: string };

/** The JSON object in a reply, tolerating a Markdown code fence or words around it. */
function jsonText(reply: string): string {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(reply);
  const text = fenced ? fenced[1]! : reply;
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  return start >= 0 && end > start ? text.slice(start, end + 1) : text.trim();
}

/**
 * Reads and checks a plan from a model's reply: valid JSON of the plan's shape, at most
 * `maxSteps` steps, unique ids, dependencies that exist (in this plan or among completed steps),
 * known tools, and no cycles. A problem is described for the model, so it can correct the plan.
 */
export function parsePlan(reply: string, rules: PlanRules): PlanParse {
  let raw: unknown;
  try {
    raw = JSON.parse(jsonText(reply));
  } catch (error) {
    return { ok: false, problem: `the reply is not valid JSON (${(error as Error).message})` };
  }
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: `the JSON is not a plan: ${z.prettifyError(parsed.error)}` };
  const { steps } = parsed.data;
  if (steps.length > rules.maxSteps) return { ok: false, problem: `the plan has ${steps.length} steps; at most ${rules.maxSteps} are allowed` };
  const ids = new Set<string>();
  for (const step of steps) {
    if (ids.has(step.id)) return { ok: false, problem: `two steps have the id "${step.id}"; ids must be unique` };
    if (rules.completedIds.has(step.id)) return { ok: false, problem: `step id "${step.id}" is already used by a completed step; choose a new id` };
    ids.add(step.id);
  }
  for (const step of steps) {
    for (const dependency of step.dependsOn) {
      if (dependency === step.id) return { ok: false, problem: `step "${step.id}" depends on itself` };
      if (!ids.has(dependency) && !rules.completedIds.has(dependency)) {
        return { ok: false, problem: `step "${step.id}" depends on "${dependency}", which is not a step of the plan` };
      }
    }
    if (step.tool !== undefined && !rules.toolNames.has(step.tool)) {
      const known = [...rules.toolNames].join(', ') || 'none';
      return { ok: false, problem: `step "${step.id}" uses tool "${step.tool}", which does not exist (tools: ${known})` };
    }
  }
  const cycle = findCycle(steps);
  if (cycle) return { ok: false, problem: `the steps depend on each other in a cycle: ${cycle.join(' → ')}` };
  return { ok: true, plan: parsed.data };
}

/** A dependency cycle among the steps (ids in order, first repeated at the end), if there is one. */
function findCycle(steps: readonly PlanStep[]): string[] | undefined {
  const byId = new Map(steps.map((step) => [step.id, step]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done' || !byId.has(id)) return undefined;
    if (state.get(id) === 'visiting') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'visiting');
    path.push(id);
    for (const dependency of byId.get(id)!.dependsOn) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const step of steps) {
    const cycle = visit(step.id);
    if (cycle) return cycle;
  }
  return undefined;
}
