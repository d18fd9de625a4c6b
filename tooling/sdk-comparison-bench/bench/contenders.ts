// The same one-tool turn ("What is 2+3?" → the model calls add(2, 3) → the model answers), written
// three ways. Modules load inside `setup`, so a cold start measures their import too.
export const CONTENDERS = ['raw openai SDK', 'Vercel AI SDK', 'Entity'] as const;
export type ContenderName = (typeof CONTENDERS)[number];
export type Turn = (index: number) => Promise<string>;

export const MODEL = 'gpt-4o-mini';
export const QUESTION = 'What is 2+3?';
export const ANSWER = '2 + 3 = 5';
const API_KEY = 'sk-bench-0000000000000000';

/** The raw SDK by hand: the tool loop a developer writes without a framework. */
async function raw(baseURL: string): Promise<Turn> {
  const { default: OpenAI } = await import('openai');
  const client = new OpenAI({ baseURL, apiKey: API_KEY, maxRetries: 0 });
  const tools = [
    {
      type: 'function' as const,
      function: {
        name: 'add',
        description: 'Add two numbers',
        parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'], additionalProperties: false },
      },
    },
  ];
  return async () => {
    const messages: Parameters<typeof client.chat.completions.create>[0]['messages'] = [{ role: 'user', content: QUESTION }];
    for (let step = 0; step < 5; step++) {
      const completion = await client.chat.completions.create({ model: MODEL, messages, tools });
      const message = completion.choices[0]!.message;
      if (!message.tool_calls?.length) return message.content ?? '';
      messages.push({ role: 'assistant', content: message.content, tool_calls: message.tool_calls });
      for (const call of message.tool_calls) {
        if (call.type !== 'function') continue;
        const { a, b } = JSON.parse(call.function.arguments) as { a: number; b: number };
        messages.push({ role: 'tool', tool_call_id: call.id, content: String(a + b) });
      }
    }
    throw new Error('no answer within 5 steps');
  };
}

/** The Vercel AI SDK: generateText with a zod tool, over the Chat Completions API. */
async function vercel(baseURL: string): Promise<Turn> {
  const [{ generateText, stepCountIs, tool }, { createOpenAI }, { z }] = await Promise.all([import('ai'), import('@ai-sdk/openai'), import('zod')]);
  const model = createOpenAI({ baseURL, apiKey: API_KEY }).chat(MODEL);
  const tools = {
    add: tool({ description: 'Add two numbers', inputSchema: z.object({ a: z.number(), b: z.number() }), execute: async ({ a, b }) => a + b }),
  };
  return async () => (await generateText({ model, tools, stopWhen: stepCountIs(5), prompt: QUESTION, maxRetries: 0 })).text;
}

/** Entity: core with the OpenAI provider and the default workflow (in-process memory). */
async function entity(baseURL: string): Promise<Turn> {
  const [{ Agent, defineTool }, { openai }, { z }] = await Promise.all([import('@entity/core'), import('@entity/resources-llm'), import('zod')]);
  const agent = new Agent({
    resources: { llm: openai({ model: MODEL, baseURL, apiKey: API_KEY, retry: false }) },
    tools: [defineTool({ name: 'add', description: 'Add two numbers', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b })],
    zeroConfig: false,
  });
  // Each turn its own conversation, as for the others: no history grows between turns.
  return async (index) => (await agent.chat(QUESTION, { conversationId: `c${index}` })).text;
}

export const SETUP: Record<ContenderName, (baseURL: string) => Promise<Turn>> = { 'raw openai SDK': raw, 'Vercel AI SDK': vercel, Entity: entity };

/** What a user installs for each (the packages `setup` imports; their dependencies come along). */
export const INSTALLS: Record<ContenderName, readonly string[]> = {
  'raw openai SDK': ['openai'],
  'Vercel AI SDK': ['ai', '@ai-sdk/openai', 'zod'],
  Entity: ['@entity/core', '@entity/resources-llm', 'openai'],
};
