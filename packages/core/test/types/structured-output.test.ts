import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { Agent, type ChatResult, type StructuredChatResult } from '../../src/index.js';

// Type-level only: the calls are never awaited at run time (no agent starts).
describe('chat output types', () => {
  const agent = new Agent({ zeroConfig: false, defaultWorkflow: false });
  const schema = z.object({ city: z.string(), celsius: z.number(), when: z.string().transform((text) => new Date(text)) });
  type Weather = z.infer<typeof schema>;

  it('infers result.output from the schema, narrowed by status', () => {
    const call = () => agent.chat('hi', { output: schema });
    expectTypeOf(call).returns.resolves.toEqualTypeOf<StructuredChatResult<Weather>>();
    const read = (result: StructuredChatResult<Weather>) => {
      if (result.status === 'ok') expectTypeOf(result.output).toEqualTypeOf<Weather>();
      else expectTypeOf(result.output).toEqualTypeOf<undefined>();
    };
    expectTypeOf(read).toBeFunction();
  });

  it('types output without a status check when the call throws on failure', () => {
    const call = () => agent.chat('hi', { output: schema, throwOnFailure: true });
    expectTypeOf(call).returns.resolves.toHaveProperty('output').toEqualTypeOf<Weather>();
    expectTypeOf<Weather['when']>().toEqualTypeOf<Date>();
  });

  it('keeps the plain ChatResult without output', () => {
    const call = () => agent.chat('hi', { userId: 'u' });
    expectTypeOf(call).returns.resolves.toEqualTypeOf<ChatResult>();
  });
});
