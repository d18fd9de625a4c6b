import { ToolError, type ToolContext } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { calculatorTool } from '../src/index.js';

const context = {} as ToolContext;
const calculator = calculatorTool();
const run = (expression: string, tool = calculator) => tool.execute({ expression }, context) as { result: number };

async function failure(expression: string, tool = calculator): Promise<ToolError> {
  try {
    await run(expression, tool);
  } catch (error) {
    expect(ToolError.isInstance(error)).toBe(true);
    return error as ToolError;
  }
  throw new Error(`"${expression}" was evaluated instead of refused`);
}

describe('calculator', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['100 / 10 / 5', 2],
    ['7 % 3', 1],
    ['-2^2', -4],
    ['(-2)^2', 4],
    ['2^3^2', 512],
    ['2**10', 1024],
    ['2^-1', 0.5],
    ['--3', 3],
    ['5!', 120],
    ['3!!', 720],
    ['0!', 1],
    ['1.5e3 + .5', 1500.5],
    ['0.1 + 0.2', 0.3],
    ['sqrt(16) + cbrt(27)', 7],
    ['log(8, 2) + ln(e) + log10(1000) + log2(8)', 10],
    ['max(1, 5, 3) - min(4, 2)', 3],
    ['round(3.14159, 2)', 3.14],
    ['round(2.5)', 3],
    ['sin(pi / 2) + cos(0)', 2],
    ['atan2(1, 1) * 4', Math.PI],
    ['hypot(3, 4)', 5],
    ['PI * 2 - tau', 0],
    ['abs(-3) + floor(2.7) + ceil(2.1) + trunc(-2.7)', 6],
  ])('%s = %d', async (expression, expected) => {
    expect((await run(expression)).result).toBeCloseTo(expected, 12);
  });

  it('shows the model a JSON Schema of its arguments', () => {
    expect(calculator.parameters).toMatchObject({ type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'], additionalProperties: false });
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['(1 + 2', /expected "\)" to close the "\(" at position 0/],
    ['1 + 2)', /unexpected "\)" at position 5/],
    ['1 +', /ends too early/],
    ['2 pi', /write multiplication explicitly, e\.g\. 2\*pi/],
    ['2(3)', /write multiplication explicitly/],
    ['x + 1', /unknown constant "x".*variables are not supported/],
    ['sine(1)', /unknown function "sine"; did you mean "sin"\?/],
    ['sqrt', /"sqrt" is a function: call it with brackets/],
    ['sqrt(1, 2)', /sqrt\(\) takes 1 argument; got 2/],
    ['atan2(1)', /atan2\(\) takes 2 arguments; got 1/],
    ['max()', /max\(\) takes at least 1 argument/],
    ['1 / 0', /division by zero/],
    ['5 % 0', /division by zero/],
    ['2.5!', /factorial needs a whole number from 0 to 170/],
    ['171!', /factorial needs a whole number/],
    ['(-1)!', /factorial needs a whole number/],
    ['round(1.5, 20)', /digits to be a whole number from 0 to 15/],
    ['log(8, 1)', /positive base other than 1/],
    ['sqrt(-1)', /does not give a finite number \(NaN\)/],
    ['10^400', /does not give a finite number \(Infinity\)/],
    ['x = 2', /without "="/],
    ['[1]', /round brackets/],
    ['1 + 1; 2', /unexpected character ";"/],
  ])('refuses %j with a message saying what to fix', async (expression, message) => {
    const error = await failure(expression);
    expect(error.message).toMatch(message);
    expect(error.tool).toBe('calculator');
  });

  it('reaches nothing but its own tables: no eval, no properties of JavaScript objects', async () => {
    for (const expression of ['constructor', 'toString()', '__proto__', 'hasOwnProperty(1)', 'process.exit(1)', 'globalThis', 'Function("return 1")()', '`1`', "'a'"]) {
      const error = await failure(expression);
      expect(error.message).toMatch(/unknown|unexpected/);
    }
  });

  it('refuses an expression longer than maxLength before parsing it', async () => {
    const small = calculatorTool({ maxLength: 10 });
    expect((await run('1+2+3+4+5', small)).result).toBe(15);
    expect((await failure('1+2+3+4+5+6', small)).message).toMatch(/11 characters long; the limit is 10\. Split the calculation/);
    expect((await failure(`${'1+'.repeat(600)}1`)).message).toMatch(/the limit is 1000/);
  });

  it('bounds nesting, so deep brackets or sign chains cannot overflow the stack', async () => {
    const tool = calculatorTool({ maxDepth: 10 });
    expect((await run(`${'('.repeat(9)}1${')'.repeat(9)}`, tool)).result).toBe(1);
    expect((await failure(`${'('.repeat(11)}1${')'.repeat(11)}`, tool)).message).toMatch(/nests deeper than 10 levels/);
    expect((await failure(`${'-'.repeat(900)}1`)).message).toMatch(/nests deeper than 64 levels/);
    expect((await failure(`${'2^'.repeat(400)}1`)).message).toMatch(/nests deeper than 64 levels/);
    expect((await failure(`${'sqrt('.repeat(150)}1${')'.repeat(150)}`)).message).toMatch(/nests deeper/);
  });
});
