import { PluginError, type Plugin } from '@entity/core';
import { clip } from './json-text.js';
import { type PatternRun, ReasoningPattern } from './reasoning-pattern.js';
import { type ChainOfThoughtOptions, type ChainOfThoughtSettings, chainOfThoughtConfigSchema, commonSettings } from './settings.js';

/** What the model is told (per run, through `ctx.addContext`) unless `instruction` replaces it. */
export const CHAIN_OF_THOUGHT_INSTRUCTION =
  'Think the problem through step by step before you answer. Write your reasoning between <reasoning> and </reasoning>, ' +
  'then write the final answer after </reasoning>. The reader sees only the final answer, so make it complete on its own.';

const FINAL_ANSWER_ONLY = 'Now write only the final answer, without your reasoning.';
const FINAL_ANSWER_LABEL = /^\s*(?:\*\*)?final answer(?:\*\*)?\s*:\s*(?:\*\*)?\s*/im;

/** The reasoning and the answer found in a model's reply. */
export interface ReasoningSplit {
  reasoning: string;
  answer: string;
}

/**
 * Chain of thought: the model reasons step by step before answering, and only the final answer
 * is responded and saved. The reasoning is in `info.annotations['reasoning.chainOfThought']` and
 * in a `reasoning.thought` event. No tools are offered (use ReAct for reasoning with tools).
 *
 * Override `splitReasoning` for another reply format (with `instruction` telling the model about it).
 */
export class ChainOfThought extends ReasoningPattern<ChainOfThoughtOptions, ChainOfThoughtSettings> {
  readonly name: string = 'reasoning:chain-of-thought';
  readonly description: string = 'Asks the model to reason step by step; responds and saves only the final answer';

  constructor(options: ChainOfThoughtOptions = {}) {
    super(chainOfThoughtConfigSchema, options);
  }

  protected settingsFrom(options: ChainOfThoughtOptions): ChainOfThoughtSettings {
    return commonSettings(options);
  }

  protected async run(run: PatternRun<ChainOfThoughtSettings>): Promise<void> {
    const { context, settings } = run;
    context.addContext(settings.instruction ?? CHAIN_OF_THOUGHT_INSTRUCTION, { label: 'How to answer' });
    const reply = await this.callModel(run, { messages: context.conversation() });
    let { reasoning, answer } = this.splitReasoning(reply.content);
    let followUp = false;
    if (answer === '') {
      // All reasoning, no answer (the model stopped after </reasoning>): one short call for the answer.
      followUp = true;
      const second = await this.callModel(run, {
        messages: [...context.conversation(), { role: 'assistant', content: reply.content }, { role: 'user', content: FINAL_ANSWER_ONLY }],
      });
      answer = this.splitReasoning(second.content).answer;
    }
    context.annotate('reasoning.chainOfThought', { reasoning: clip(reasoning), followUp });
    await this.report(run, 'thought', { reasoning: clip(reasoning) });
    if (answer === '') {
      throw new PluginError(this.name, 'The model gave reasoning but no final answer, even when asked for it alone', {
        code: 'REASONING_NO_ANSWER',
        safeMessage: 'Sorry, I could not come to an answer. Please try again.',
      });
    }
    context.answer(answer);
  }

  /**
   * Splits a reply into reasoning (every `<reasoning>…</reasoning>` block, or the text before a
   * `Final answer:` line) and the answer (the rest). A reply in neither form is all answer. An
   * unclosed `<reasoning>` makes everything after it reasoning; a lone `</reasoning>` everything before it.
   */
  protected splitReasoning(text: string): ReasoningSplit {
    const blocks: string[] = [];
    let rest = text.replace(/<reasoning>([\s\S]*?)<\/reasoning>/gi, (_match, inner: string) => {
      blocks.push(inner.trim());
      return '';
    });
    const open = rest.search(/<reasoning>/i);
    if (open >= 0) {
      blocks.push(rest.slice(open).replace(/<reasoning>/i, '').trim());
      rest = rest.slice(0, open);
    }
    const strayClose = rest.search(/<\/reasoning>/i);
    if (blocks.length === 0 && strayClose >= 0) {
      // The model left out the opening tag: what comes before the closing one is its reasoning.
      return { reasoning: rest.slice(0, strayClose).trim(), answer: rest.slice(strayClose).replace(/<\/reasoning>/i, '').replace(FINAL_ANSWER_LABEL, '').trim() };
    }
    if (blocks.length === 0) {
      const label = FINAL_ANSWER_LABEL.exec(rest);
      if (label) return { reasoning: rest.slice(0, label.index).trim(), answer: rest.slice(label.index + label[0].length).trim() };
    }
    return { reasoning: blocks.join('\n\n'), answer: rest.replace(FINAL_ANSWER_LABEL, '').trim() };
  }
}

/** Chain of thought as a plugin: `agent.use(chainOfThoughtPlugin())`; in YAML `export: chainOfThoughtPlugin`. */
export function chainOfThoughtPlugin(options: ChainOfThoughtOptions = {}): Plugin<ChainOfThoughtOptions> {
  return new ChainOfThought(options).plugin();
}
