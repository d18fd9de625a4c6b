import type { ChatMessage } from '@entity/core';

/**
 * Tokens a message costs, estimated as one per four characters plus a few for the role and
 * framing — the rule of thumb for English with the common BPE tokenizers. A budget only needs
 * the order of magnitude, and a real tokenizer would tie the plugin to one model family.
 */
export function estimateTokens(message: ChatMessage): number {
  let characters = message.content.length;
  if (message.role === 'assistant' && message.toolCalls) characters += JSON.stringify(message.toolCalls).length;
  return Math.ceil(characters / 4) + 4;
}

export function estimateTotalTokens(messages: readonly ChatMessage[]): number {
  let total = 0;
  for (const message of messages) total += estimateTokens(message);
  return total;
}
