const PIECE = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

/**
 * A tokenizer-free estimate of how many model tokens `text` takes: each word counts one token
 * per started 4 characters, each punctuation mark one. It errs on the high side for English
 * (real BPE tokenizers give ~1.3 tokens per word), so chunks stay within a model's budget.
 */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const match of text.matchAll(PIECE)) tokens += Math.ceil(match[0].length / 4);
  return tokens;
}
