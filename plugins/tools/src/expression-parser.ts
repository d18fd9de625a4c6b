import { closestKey } from '@entity/core/internal';

/**
 * Arithmetic for the calculator: a tokenizer and a recursive-descent evaluator over numbers,
 * `+ - * / % ^ **`, `!`, parentheses, constants and a fixed table of `Math` functions. It never
 * hands text to `eval` or `Function`: an expression can only reach what the tables below name.
 */

/** An expression the calculator cannot evaluate; `position` is the 0-based character index. */
export class ExpressionError extends Error {
  readonly position: number | undefined;
  constructor(message: string, position?: number) {
    super(message);
    this.name = 'ExpressionError';
    this.position = position;
  }
}

export const CONSTANTS: Readonly<Record<string, number>> = Object.freeze({ pi: Math.PI, e: Math.E, tau: 2 * Math.PI });

interface FunctionSpec {
  /** Allowed argument counts: [min, max]; max `Infinity` for min/max/hypot. */
  arity: readonly [number, number];
  apply(args: readonly number[], position: number): number;
}

const unary = (fn: (x: number) => number): FunctionSpec => ({ arity: [1, 1], apply: ([x]) => fn(x!) });

function roundTo(value: number, digits: number, position: number): number {
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) throw new ExpressionError('round(x, digits) needs digits to be a whole number from 0 to 15', position);
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function logarithm(args: readonly number[], position: number): number {
  const [value, base] = args as [number, number | undefined];
  if (base === undefined) return Math.log(value);
  if (base <= 0 || base === 1) throw new ExpressionError('log(x, base) needs a positive base other than 1', position);
  return Math.log(value) / Math.log(base);
}

export const FUNCTIONS: Readonly<Record<string, FunctionSpec>> = Object.freeze({
  sqrt: unary(Math.sqrt),
  cbrt: unary(Math.cbrt),
  abs: unary(Math.abs),
  floor: unary(Math.floor),
  ceil: unary(Math.ceil),
  trunc: unary(Math.trunc),
  sign: unary(Math.sign),
  exp: unary(Math.exp),
  ln: unary(Math.log),
  log: { arity: [1, 2], apply: logarithm },
  log10: unary(Math.log10),
  log2: unary(Math.log2),
  sin: unary(Math.sin),
  cos: unary(Math.cos),
  tan: unary(Math.tan),
  asin: unary(Math.asin),
  acos: unary(Math.acos),
  atan: unary(Math.atan),
  atan2: { arity: [2, 2], apply: ([y, x]) => Math.atan2(y!, x!) },
  sinh: unary(Math.sinh),
  cosh: unary(Math.cosh),
  tanh: unary(Math.tanh),
  round: { arity: [1, 2], apply: ([x, digits], position) => (digits === undefined ? Math.round(x!) : roundTo(x!, digits, position)) },
  min: { arity: [1, Number.POSITIVE_INFINITY], apply: (args) => Math.min(...args) },
  max: { arity: [1, Number.POSITIVE_INFINITY], apply: (args) => Math.max(...args) },
  hypot: { arity: [1, Number.POSITIVE_INFINITY], apply: (args) => Math.hypot(...args) },
  pow: { arity: [2, 2], apply: ([x, y]) => x! ** y! },
});

/** Largest n for n!: 171! is beyond a double. */
const MAX_FACTORIAL = 170;

type Token =
  | { type: 'number'; value: number; position: number }
  | { type: 'name'; value: string; position: number }
  | { type: 'operator'; value: '+' | '-' | '*' | '/' | '%' | '^' | '!' | '(' | ')' | ','; position: number };

const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (/\s/.test(char)) {
      index++;
      continue;
    }
    NUMBER.lastIndex = index;
    const number = NUMBER.exec(text);
    if (number) {
      tokens.push({ type: 'number', value: Number(number[0]), position: index });
      index += number[0].length;
      continue;
    }
    NAME.lastIndex = index;
    const name = NAME.exec(text);
    if (name) {
      tokens.push({ type: 'name', value: name[0], position: index });
      index += name[0].length;
      continue;
    }
    if (text.startsWith('**', index)) {
      tokens.push({ type: 'operator', value: '^', position: index });
      index += 2;
      continue;
    }
    if ('+-*/%^!(),'.includes(char)) {
      tokens.push({ type: 'operator', value: char as '+', position: index });
      index++;
      continue;
    }
    const hint = char === '=' ? ' (write only the expression, without "=")' : char === '[' || char === '{' ? ' (use round brackets)' : '';
    throw new ExpressionError(`unexpected character "${char}"${hint}`, index);
  }
  return tokens;
}

export interface EvaluateOptions {
  /** Deepest nesting of brackets, function calls and unary signs. Keeps recursion far from the stack limit. */
  maxDepth: number;
}

/** Evaluates an arithmetic expression; throws {@link ExpressionError} naming what is wrong and where. */
export function evaluateExpression(text: string, options: EvaluateOptions): number {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new ExpressionError('the expression is empty');
  let index = 0;
  let depth = 0;
  const peek = (): Token | undefined => tokens[index];
  const describe = (token: Token | undefined) => (token === undefined ? 'the end of the expression' : `"${token.value}" at position ${token.position}`);
  const isOperator = (token: Token | undefined, ...values: string[]): boolean => token?.type === 'operator' && values.includes(token.value);
  const enter = (position: number) => {
    if (++depth > options.maxDepth) throw new ExpressionError(`the expression nests deeper than ${options.maxDepth} levels`, position);
  };

  const expression = (): number => {
    let value = term();
    while (isOperator(peek(), '+', '-')) {
      const operator = tokens[index++]!;
      const right = term();
      value = operator.value === '+' ? value + right : value - right;
    }
    return value;
  };

  const term = (): number => {
    let value = signed();
    while (isOperator(peek(), '*', '/', '%')) {
      const operator = tokens[index++]!;
      const right = signed();
      if ((operator.value === '/' || operator.value === '%') && right === 0) throw new ExpressionError('division by zero', operator.position);
      value = operator.value === '*' ? value * right : operator.value === '/' ? value / right : value % right;
    }
    return value;
  };

  // A sign binds looser than ^, as in mathematics: -2^2 is -4.
  const signed = (): number => {
    const token = peek();
    if (isOperator(token, '+', '-')) {
      index++;
      enter(token!.position);
      const value = signed();
      depth--;
      return token!.value === '-' ? -value : value;
    }
    return power();
  };

  // Right-associative: 2^3^2 is 2^9.
  const power = (): number => {
    const base = postfix();
    const token = peek();
    if (!isOperator(token, '^')) return base;
    index++;
    enter(token!.position);
    const exponent = signed();
    depth--;
    return base ** exponent;
  };

  const postfix = (): number => {
    let value = primary();
    while (isOperator(peek(), '!')) {
      const token = tokens[index++]!;
      if (!Number.isInteger(value) || value < 0 || value > MAX_FACTORIAL) {
        throw new ExpressionError(`factorial needs a whole number from 0 to ${MAX_FACTORIAL}; got ${value}`, token.position);
      }
      let product = 1;
      for (let factor = 2; factor <= value; factor++) product *= factor;
      value = product;
    }
    return value;
  };

  const primary = (): number => {
    const token = tokens[index];
    if (token === undefined) throw new ExpressionError('the expression ends too early: expected a number, a name or "("');
    if (token.type === 'number') {
      index++;
      return token.value;
    }
    if (isOperator(token, '(')) {
      index++;
      enter(token.position);
      const value = expression();
      depth--;
      if (!isOperator(peek(), ')')) throw new ExpressionError(`expected ")" to close the "(" at position ${token.position}, found ${describe(peek())}`, peek()?.position);
      index++;
      return value;
    }
    if (token.type === 'name') {
      index++;
      const name = token.value.toLowerCase();
      if (isOperator(peek(), '(')) return call(name, token);
      if (Object.hasOwn(CONSTANTS, name)) return CONSTANTS[name]!;
      if (Object.hasOwn(FUNCTIONS, name)) throw new ExpressionError(`"${token.value}" is a function: call it with brackets, e.g. ${name}(2)`, token.position);
      throw unknownName(token.value, token.position, Object.keys(CONSTANTS), 'constant');
    }
    throw new ExpressionError(`unexpected ${describe(token)}: expected a number, a name or "("`, token.position);
  };

  const call = (name: string, token: Token): number => {
    if (!Object.hasOwn(FUNCTIONS, name)) throw unknownName(token.value as string, token.position, Object.keys(FUNCTIONS), 'function');
    const spec = FUNCTIONS[name]!;
    const open = tokens[index++]!;
    enter(open.position);
    const args: number[] = [];
    if (!isOperator(peek(), ')')) {
      args.push(expression());
      while (isOperator(peek(), ',')) {
        index++;
        args.push(expression());
      }
    }
    if (!isOperator(peek(), ')')) throw new ExpressionError(`expected "," or ")" in the call to ${name}( at position ${token.position}, found ${describe(peek())}`, peek()?.position);
    index++;
    depth--;
    const [min, max] = spec.arity;
    if (args.length < min || args.length > max) {
      const expected = min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} or ${max}`;
      throw new ExpressionError(`${name}() takes ${expected} argument${expected === '1' ? '' : 's'}; got ${args.length}`, token.position);
    }
    return spec.apply(args, token.position);
  };

  const value = expression();
  if (index < tokens.length) {
    const token = tokens[index]!;
    const hint = token.type === 'number' || token.type === 'name' || isOperator(token, '(') ? ' (write multiplication explicitly, e.g. 2*pi)' : '';
    throw new ExpressionError(`unexpected ${describe(token)} after a complete expression${hint}`, token.position);
  }
  return value;
}

function unknownName(name: string, position: number, candidates: readonly string[], kind: 'function' | 'constant'): ExpressionError {
  const all = [...Object.keys(FUNCTIONS), ...Object.keys(CONSTANTS)];
  // One- and two-letter names are too short to guess from (`x` is not a typo of `e`).
  const suggestion = name.length < 3 ? undefined : closestKey(name, kind === 'function' ? candidates : all);
  const known = kind === 'function' ? `functions: ${Object.keys(FUNCTIONS).join(', ')}` : `constants: ${Object.keys(CONSTANTS).join(', ')}`;
  return new ExpressionError(`unknown ${kind} "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ''} (known ${known}; variables are not supported)`, position);
}
