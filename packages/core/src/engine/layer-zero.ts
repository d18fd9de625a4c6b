import type { ZodType } from 'zod';
import type { Context } from '../contracts/context.js';
import type { Plugin } from '../contracts/plugin.js';
import type { Stage } from '../contracts/stage.js';
import type { Tool } from '../contracts/tool.js';
import { defineTool } from '../define/define-tool.js';
import { askModel, STATE } from './ask-model.js';

export interface ToolHelperOptions<TInput> {
  description: string;
  input: ZodType<TInput>;
  timeoutMs?: number;
}

export interface PromptOptions {
  /** Name of the plugin and of the stored answer (`ctx.load(name)`). Default: `prompt`, `prompt-2`, ... */
  name?: string;
  /** System prompt sent with it. */
  system?: string;
  temperature?: number;
  /** Stage to run in. Default: THINK. */
  stage?: Stage;
  /** Offer the registered tools to the model. Default: true. */
  useTools?: boolean;
}

/** Wraps a tool as a tool plugin named after it: registration of the plugin is permission to call the tool. */
export function toolPlugin<TInput, TOutput>(
  toolOrName: Tool<TInput, TOutput> | string,
  options?: ToolHelperOptions<TInput>,
  execute?: Tool<TInput, TOutput>['execute'],
): Plugin {
  let tool: Tool<TInput, TOutput>;
  if (typeof toolOrName === 'string') {
    if (!options || !execute) throw new TypeError(`agent.tool("${toolOrName}", options, execute) needs options (description, input) and a function`);
    tool = defineTool({ name: toolOrName, ...options, execute });
  } else {
    tool = toolOrName;
  }
  return { name: `tool:${tool.name}`, kind: 'tool', description: tool.description, tools: [tool as Tool<any, unknown>] };
}

/** The first of `prompt`, `prompt-2`, `prompt-3`, ... that `isTaken` does not claim. */
export function defaultPromptName(isTaken: (name: string) => boolean): string {
  if (!isTaken('prompt')) return 'prompt';
  let index = 2;
  while (isTaken(`prompt-${index}`)) index++;
  return `prompt-${index}`;
}

export function promptPlugin(build: string | ((context: Context) => string | Promise<string>), options: PromptOptions & { name: string }): Plugin {
  const { name } = options;
  return {
    name,
    kind: 'prompt',
    dependencies: ['llm'],
    ...(options.stage ? { stages: [options.stage] } : {}),
    async execute(context) {
      // Later iterations continue the same exchange (tool results follow), so the prompt is built once.
      const userContent = context.iteration === 1 || context.load(STATE.promptOverride) === undefined
        ? typeof build === 'string' ? build : await build(context)
        : undefined;
      const response = await askModel(context, {
        ...(userContent === undefined ? {} : { userContent }),
        ...(options.system === undefined ? {} : { system: options.system }),
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
        ...(options.useTools === undefined ? {} : { useTools: options.useTools }),
      });
      if (response.toolCalls.length === 0) context.store(name, response.content);
    },
  };
}
