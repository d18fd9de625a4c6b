import { ALL_STAGES, type Stage } from '../contracts/stage.js';
import { ConfigError } from '../errors/index.js';
import { DEFAULT_CHAT_WORKFLOW } from './default-workflow.js';
import type { PluginInput } from './plugin-registry.js';

export type StageMapping = Partial<Record<Stage, readonly string[]>>;

/**
 * A reusable mapping of stages to plugin names (and, optionally, the plugins themselves).
 * Give the same workflow to several agents to run them the same way. A plugin object with
 * `init()`/`shutdown()` serves one running agent at a time (a second one is refused with
 * `PLUGIN_IN_USE`): build such a workflow in a function called once per agent. (Plugins loaded
 * from config or a plugins/ folder are copied per agent and never meet this.)
 */
export class Workflow {
  readonly stages: StageMapping;
  readonly plugins: readonly PluginInput[];

  constructor(stages: StageMapping, plugins: readonly PluginInput[] = []) {
    for (const stage of Object.keys(stages)) {
      if (!ALL_STAGES.includes(stage as Stage)) {
        throw new ConfigError([{ path: `workflow.${stage}`, message: `unknown stage "${stage}"`, fix: `use one of ${ALL_STAGES.join(', ')}` }]);
      }
    }
    this.stages = Object.freeze({ ...stages });
    this.plugins = Object.freeze([...plugins]);
  }

  /** The built-in chat workflow: load history, ask the model, run tools, respond. */
  static defaultChat(): Workflow {
    return new Workflow(DEFAULT_CHAT_WORKFLOW);
  }

  /** Plugin names in stage order, for graphs and validation. */
  pluginNames(): string[] {
    return ALL_STAGES.flatMap((stage) => this.stages[stage] ?? []);
  }

  /** A copy with more plugins appended to a stage. */
  with(stage: Stage, ...names: string[]): Workflow {
    return new Workflow({ ...this.stages, [stage]: [...(this.stages[stage] ?? []), ...names] }, this.plugins);
  }
}
