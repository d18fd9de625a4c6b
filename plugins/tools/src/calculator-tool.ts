import { defineTool, ToolError } from '@entity/core';
import { z } from 'zod';
import { CONSTANTS, evaluateExpression, ExpressionError, FUNCTIONS } from './expression-parser.js';

export interface CalculatorOptions {
  /** Longest expression accepted, in characters. Default: 1,000. */
  maxLength?: number;
  /** Deepest nesting of brackets, calls and signs. Default: 64. */
  maxDepth?: number;
}

export const DEFAULT_CALCULATOR_MAX_LENGTH = 1_000;
export const DEFAULT_CALCULATOR_MAX_DEPTH = 64;

/** The result as a model should read it: 15 significant digits, so 0.1 + 0.2 is 0.3. */
function tidy(value: number): number {
  return Number(value.toPrecision(15));
}

/**
 * `calculator`: evaluates an arithmetic expression with a parser of its own (never `eval`), so
 * the model gets exact arithmetic instead of guessing. Bad expressions come back as a
 * `ToolError` saying what is wrong, where, and how to write it.
 */
export function calculatorTool(options: CalculatorOptions = {}) {
  const maxLength = options.maxLength ?? DEFAULT_CALCULATOR_MAX_LENGTH;
  const maxDepth = options.maxDepth ?? DEFAULT_CALCULATOR_MAX_DEPTH;
  return defineTool({
    name: 'calculator',
    description:
      'Evaluate an arithmetic expression exactly. Supports + - * / % ^ (power) ! (factorial), brackets, ' +
      `constants ${Object.keys(CONSTANTS).join(', ')} and functions ${Object.keys(FUNCTIONS).join(', ')}. ` +
      'Angles are in radians; log(x) is the natural logarithm, log(x, base) any base. No variables.',
    input: z
      .object({
        expression: z.string().describe('The expression, e.g. "(12.5 * 4 + 3) / 7" or "sqrt(2) * sin(pi / 4)"'),
      })
      .strict(),
    execute({ expression }) {
      if (expression.length > maxLength) {
        throw new ToolError('calculator', `The expression is ${expression.length} characters long; the limit is ${maxLength}. Split the calculation into smaller steps.`);
      }
      let value: number;
      try {
        value = evaluateExpression(expression, { maxDepth });
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        const where = error.position === undefined || error.message.includes('position') ? '' : ` (at position ${error.position})`;
        throw new ToolError('calculator', `Cannot evaluate "${expression}": ${error.message}${where}.`, { cause: error });
      }
      if (!Number.isFinite(value)) {
        throw new ToolError('calculator', `"${expression}" does not give a finite number (${value}); check for overflow or a value outside a function's domain, e.g. sqrt(-1).`);
      }
      return { expression, result: tidy(value) };
    },
  });
}
