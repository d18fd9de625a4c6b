import { existsSync } from 'node:fs';
import { extname } from 'node:path';
import { z } from 'zod';
import type { Context } from '../contracts/context.js';
import type { LLM } from '../contracts/llm.js';
import type { Plugin } from '../contracts/plugin.js';
import { checkRelativePath } from '../config/plugin-specifier.js';
import { once } from '../define/lazy-schema.js';
import { ConfigError, ValidationError } from '../errors/index.js';
import { Agent } from '../engine/agent.js';
import { conversationAsText, handoff } from './handoff.js';

const TARGET_NAME = /^[A-Za-z][\w-]{0,63}$/;
const AGENT_FILE_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Turns the router model reads: enough to tell a follow-up from a new topic, little enough to stay cheap. */
const ROUTER_TURNS = 6;

// Built on the first handoffPlugin(), not when `@entity/core` loads.
const handoffConfigSchema = once(() => {
  const targetConfigSchema = z.union([
    z.string().min(1).describe('Path of the agent config file (agent.yaml), relative to this config file.'),
    z.strictObject({
      agent: z.string().min(1).describe('Path of the agent config file (agent.yaml), relative to this config file.'),
      description: z.string().min(1).optional().describe('What this agent handles; the router model reads it.'),
    }),
  ]);
  return z.strictObject({
    to: z
      .record(z.string().regex(TARGET_NAME, 'use a name of letters, digits, "_" or "-", starting with a letter'), targetConfigSchema)
      .optional()
      .describe('Agents to hand off to, by name: a config file path, or { agent, description }.'),
    llm: z.string().min(1).default('llm').describe('The LLM resource that picks the agent when no `when` function is given in code.'),
  });
});

export type HandoffPluginConfig = z.output<ReturnType<typeof handoffConfigSchema>>;

/** An agent a turn can be handed off to. */
export interface HandoffTarget {
  agent: Agent;
  /** What it handles; the router model reads it. Default: the agent's name. */
  description?: string;
}

export interface HandoffPluginOptions {
  /** The plugin's name. Default: `handoff`. */
  name?: string;
  /** Agents to hand off to, by name (names: letters, digits, `_`, `-`). Config files add more (`config.to`). */
  to?: Record<string, Agent | HandoffTarget>;
  /**
   * Picks the agent for this turn by name, or `undefined` to answer here. Without it, the `llm`
   * resource (config `llm`) is asked, once per turn, to pick one by the targets' descriptions.
   */
  when?: (context: Context) => string | undefined | Promise<string | undefined>;
  /**
   * Builds an agent from a config file named in `config.to` (an absolute path). Default:
   * `Agent.fromConfig(file)`; pass your own to give those agents compile options (resource types,
   * environment).
   */
  load?: (file: string) => Promise<Agent>;
}

/** Resolves each target file of a config's `to` in the config's folder (see `Plugin.resolveConfigPaths`). */
function resolveTargetPaths(config: unknown, baseDir: string): unknown {
  if (typeof config !== 'object' || config === null || typeof (config as { to?: unknown }).to !== 'object' || (config as { to?: unknown }).to === null) return config;
  const to: Record<string, unknown> = {};
  for (const [name, target] of Object.entries((config as { to: Record<string, unknown> }).to)) {
    const path = typeof target === 'string' ? target : (target as { agent?: unknown } | null)?.agent;
    if (typeof path !== 'string') {
      to[name] = target;
      continue;
    }
    const where = typeof target === 'string' ? `config.to.${name}` : `config.to.${name}.agent`;
    const refuse = (message: string, fix: string) => new ConfigError([{ path: where, message, fix }]);
    if (!path.startsWith('./') && !path.startsWith('../')) throw refuse(`agent config "${path}" is not a relative path`, 'write a path relative to this config file that stays in its folder (./billing.yaml)');
    if (!AGENT_FILE_EXTENSIONS.has(extname(path).toLowerCase())) throw refuse(`agent config "${path}" is not a .yaml, .yml or .json file`, 'name the agent config file of the agent to hand off to');
    const checked = checkRelativePath(path, baseDir, `agent config "${path}"`, 'agent config');
    if (!('kind' in checked)) throw refuse(checked.message, checked.fix);
    if (!existsSync(checked.file)) throw refuse(`agent config "${path}" does not exist (looked for ${checked.file})`, 'create the file or correct the path');
    to[name] = typeof target === 'string' ? checked.file : { ...(target as object), agent: checked.file };
  }
  return { ...(config as object), to };
}

/** Asks the router model which target should answer; undefined for none or a reply it cannot read. */
async function askRouter(context: Context, targets: ReadonlyMap<string, HandoffTarget>, llmName: string): Promise<string | undefined> {
  const llm = context.resource<LLM>(llmName);
  const list = [...targets].map(([name, target]) => `- ${name}: ${target.description ?? target.agent.name}`).join('\n');
  const response = await llm.chat({
    messages: [
      {
        role: 'system',
        content: `You route a user's message to the one agent that should answer it, or to none.\nAgents:\n${list}\nReply with the agent's name only, or "none".`,
      },
      ...conversationAsText(context.conversation()).slice(-ROUTER_TURNS),
    ],
    signal: context.signal,
  });
  context.advanced.addUsage(response.usage);
  const word = response.content.trim().toLowerCase().split(/[^\w-]+/).find((part) => part !== '');
  return [...targets.keys()].find((name) => name.toLowerCase() === word);
}

/**
 * A THINK plugin that hands a turn off to another agent (see {@link handoff}) before this agent's
 * model is asked: the agent `when(ctx)` names, or — without `when` — the one a router model picks
 * from the targets' descriptions (one small model call per turn). Targets come from code (`to`)
 * and from config files, where each names another agent's config file relative to the config's
 * folder (it must stay inside it, like plugin paths):
 *
 * ```yaml
 * plugins:
 *   - use: '@entity/core'
 *     export: handoffPlugin
 *     config:
 *       to:
 *         billing: { agent: ./billing.yaml, description: invoices, refunds and payments }
 * ```
 *
 * Agents built from config files are started on first hand-off and stopped with this agent;
 * agents passed in code are yours to stop.
 */
export function handoffPlugin(options: HandoffPluginOptions = {}): Plugin<HandoffPluginConfig> {
  const codeTargets = new Map<string, HandoffTarget>();
  for (const [name, target] of Object.entries(options.to ?? {})) {
    if (!TARGET_NAME.test(name)) {
      throw new ConfigError([{ path: `to.${name}`, message: `"${name}" is not a usable hand-off name`, fix: 'use letters, digits, "_" or "-", starting with a letter' }]);
    }
    codeTargets.set(name, target instanceof Agent ? { agent: target } : target);
  }
  let targets: Map<string, HandoffTarget> = new Map(codeTargets);
  const built: Agent[] = [];
  const name = options.name ?? 'handoff';
  return {
    name,
    kind: 'prompt',
    description: 'Hands the turn off to another agent before the model is asked',
    configSchema: handoffConfigSchema() as z.ZodType<HandoffPluginConfig>,
    resolveConfigPaths: resolveTargetPaths,
    async init({ config }) {
      targets = new Map(codeTargets);
      for (const [targetName, target] of Object.entries(config.to ?? {})) {
        if (targets.has(targetName)) {
          throw new ConfigError([{ path: `plugins.${name}.config.to.${targetName}`, message: `"${targetName}" is also given in code`, fix: 'give each hand-off target one name' }]);
        }
        const file = typeof target === 'string' ? target : target.agent;
        let agent: Agent;
        try {
          agent = await (options.load ?? ((path: string) => Agent.fromConfig(path)))(file);
        } catch (error) {
          // The issues' paths are the other file's: say which file they are in.
          if (!ConfigError.isInstance(error)) throw error;
          throw new ConfigError(error.issues.map((issue) => ({ ...issue, path: `plugins.${name}.config.to.${targetName} (${file}): ${issue.path}` })));
        }
        built.push(agent);
        targets.set(targetName, { agent, ...(typeof target === 'string' || target.description === undefined ? {} : { description: target.description }) });
      }
      if (targets.size === 0) {
        throw new ConfigError([{ path: `plugins.${name}.config.to`, message: 'the hand-off plugin has no agent to hand off to', fix: 'name at least one agent under to (in code, or config files in YAML)' }]);
      }
    },
    async shutdown() {
      await Promise.all(built.splice(0).map((agent) => agent.stop()));
    },
    async execute(context, config) {
      // Once per turn, before the model is asked: later iterations are this agent's own work.
      if (context.iteration !== 1 || context.responded) return;
      const picked = options.when ? await options.when(context) : await askRouter(context, targets, config.llm);
      if (picked === undefined) return;
      const target = targets.get(picked);
      if (!target) {
        throw new ValidationError(`when() picked "${String(picked)}", which is not a hand-off target; return one of ${[...targets.keys()].join(', ')}, or undefined to answer here`);
      }
      await handoff(context, target.agent, { reason: options.when ? `picked by ${name}'s when()` : `picked by the router model (${config.llm})` });
    },
  };
}
