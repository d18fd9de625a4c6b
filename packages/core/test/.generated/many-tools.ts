import { z } from 'zod';
import { Agent, defineTool, definePlugin, type ToolContext } from '@entity/core';

export const tool0 = defineTool({
  name: 'tool_0', description: 'Tool 0',
  input: z.object({ amount0: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount0, nested }) => ({ doubled: amount0 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin0 = definePlugin({
  name: 'plugin-0', kind: 'prompt',
  config: z.object({ threshold: z.number().default(0), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool1 = defineTool({
  name: 'tool_1', description: 'Tool 1',
  input: z.object({ amount1: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount1, nested }) => ({ doubled: amount1 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin1 = definePlugin({
  name: 'plugin-1', kind: 'prompt',
  config: z.object({ threshold: z.number().default(1), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool2 = defineTool({
  name: 'tool_2', description: 'Tool 2',
  input: z.object({ amount2: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount2, nested }) => ({ doubled: amount2 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin2 = definePlugin({
  name: 'plugin-2', kind: 'prompt',
  config: z.object({ threshold: z.number().default(2), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool3 = defineTool({
  name: 'tool_3', description: 'Tool 3',
  input: z.object({ amount3: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount3, nested }) => ({ doubled: amount3 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin3 = definePlugin({
  name: 'plugin-3', kind: 'prompt',
  config: z.object({ threshold: z.number().default(3), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool4 = defineTool({
  name: 'tool_4', description: 'Tool 4',
  input: z.object({ amount4: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount4, nested }) => ({ doubled: amount4 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin4 = definePlugin({
  name: 'plugin-4', kind: 'prompt',
  config: z.object({ threshold: z.number().default(4), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool5 = defineTool({
  name: 'tool_5', description: 'Tool 5',
  input: z.object({ amount5: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount5, nested }) => ({ doubled: amount5 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin5 = definePlugin({
  name: 'plugin-5', kind: 'prompt',
  config: z.object({ threshold: z.number().default(5), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool6 = defineTool({
  name: 'tool_6', description: 'Tool 6',
  input: z.object({ amount6: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount6, nested }) => ({ doubled: amount6 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin6 = definePlugin({
  name: 'plugin-6', kind: 'prompt',
  config: z.object({ threshold: z.number().default(6), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool7 = defineTool({
  name: 'tool_7', description: 'Tool 7',
  input: z.object({ amount7: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount7, nested }) => ({ doubled: amount7 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin7 = definePlugin({
  name: 'plugin-7', kind: 'prompt',
  config: z.object({ threshold: z.number().default(7), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool8 = defineTool({
  name: 'tool_8', description: 'Tool 8',
  input: z.object({ amount8: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount8, nested }) => ({ doubled: amount8 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin8 = definePlugin({
  name: 'plugin-8', kind: 'prompt',
  config: z.object({ threshold: z.number().default(8), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool9 = defineTool({
  name: 'tool_9', description: 'Tool 9',
  input: z.object({ amount9: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount9, nested }) => ({ doubled: amount9 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin9 = definePlugin({
  name: 'plugin-9', kind: 'prompt',
  config: z.object({ threshold: z.number().default(9), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool10 = defineTool({
  name: 'tool_10', description: 'Tool 10',
  input: z.object({ amount10: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount10, nested }) => ({ doubled: amount10 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin10 = definePlugin({
  name: 'plugin-10', kind: 'prompt',
  config: z.object({ threshold: z.number().default(10), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool11 = defineTool({
  name: 'tool_11', description: 'Tool 11',
  input: z.object({ amount11: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount11, nested }) => ({ doubled: amount11 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin11 = definePlugin({
  name: 'plugin-11', kind: 'prompt',
  config: z.object({ threshold: z.number().default(11), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool12 = defineTool({
  name: 'tool_12', description: 'Tool 12',
  input: z.object({ amount12: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount12, nested }) => ({ doubled: amount12 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin12 = definePlugin({
  name: 'plugin-12', kind: 'prompt',
  config: z.object({ threshold: z.number().default(12), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool13 = defineTool({
  name: 'tool_13', description: 'Tool 13',
  input: z.object({ amount13: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount13, nested }) => ({ doubled: amount13 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin13 = definePlugin({
  name: 'plugin-13', kind: 'prompt',
  config: z.object({ threshold: z.number().default(13), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool14 = defineTool({
  name: 'tool_14', description: 'Tool 14',
  input: z.object({ amount14: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount14, nested }) => ({ doubled: amount14 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin14 = definePlugin({
  name: 'plugin-14', kind: 'prompt',
  config: z.object({ threshold: z.number().default(14), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool15 = defineTool({
  name: 'tool_15', description: 'Tool 15',
  input: z.object({ amount15: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount15, nested }) => ({ doubled: amount15 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin15 = definePlugin({
  name: 'plugin-15', kind: 'prompt',
  config: z.object({ threshold: z.number().default(15), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool16 = defineTool({
  name: 'tool_16', description: 'Tool 16',
  input: z.object({ amount16: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount16, nested }) => ({ doubled: amount16 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin16 = definePlugin({
  name: 'plugin-16', kind: 'prompt',
  config: z.object({ threshold: z.number().default(16), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool17 = defineTool({
  name: 'tool_17', description: 'Tool 17',
  input: z.object({ amount17: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount17, nested }) => ({ doubled: amount17 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin17 = definePlugin({
  name: 'plugin-17', kind: 'prompt',
  config: z.object({ threshold: z.number().default(17), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool18 = defineTool({
  name: 'tool_18', description: 'Tool 18',
  input: z.object({ amount18: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount18, nested }) => ({ doubled: amount18 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin18 = definePlugin({
  name: 'plugin-18', kind: 'prompt',
  config: z.object({ threshold: z.number().default(18), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool19 = defineTool({
  name: 'tool_19', description: 'Tool 19',
  input: z.object({ amount19: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount19, nested }) => ({ doubled: amount19 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin19 = definePlugin({
  name: 'plugin-19', kind: 'prompt',
  config: z.object({ threshold: z.number().default(19), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool20 = defineTool({
  name: 'tool_20', description: 'Tool 20',
  input: z.object({ amount20: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount20, nested }) => ({ doubled: amount20 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin20 = definePlugin({
  name: 'plugin-20', kind: 'prompt',
  config: z.object({ threshold: z.number().default(20), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool21 = defineTool({
  name: 'tool_21', description: 'Tool 21',
  input: z.object({ amount21: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount21, nested }) => ({ doubled: amount21 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin21 = definePlugin({
  name: 'plugin-21', kind: 'prompt',
  config: z.object({ threshold: z.number().default(21), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool22 = defineTool({
  name: 'tool_22', description: 'Tool 22',
  input: z.object({ amount22: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount22, nested }) => ({ doubled: amount22 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin22 = definePlugin({
  name: 'plugin-22', kind: 'prompt',
  config: z.object({ threshold: z.number().default(22), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool23 = defineTool({
  name: 'tool_23', description: 'Tool 23',
  input: z.object({ amount23: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount23, nested }) => ({ doubled: amount23 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin23 = definePlugin({
  name: 'plugin-23', kind: 'prompt',
  config: z.object({ threshold: z.number().default(23), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool24 = defineTool({
  name: 'tool_24', description: 'Tool 24',
  input: z.object({ amount24: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount24, nested }) => ({ doubled: amount24 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin24 = definePlugin({
  name: 'plugin-24', kind: 'prompt',
  config: z.object({ threshold: z.number().default(24), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool25 = defineTool({
  name: 'tool_25', description: 'Tool 25',
  input: z.object({ amount25: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount25, nested }) => ({ doubled: amount25 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin25 = definePlugin({
  name: 'plugin-25', kind: 'prompt',
  config: z.object({ threshold: z.number().default(25), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool26 = defineTool({
  name: 'tool_26', description: 'Tool 26',
  input: z.object({ amount26: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount26, nested }) => ({ doubled: amount26 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin26 = definePlugin({
  name: 'plugin-26', kind: 'prompt',
  config: z.object({ threshold: z.number().default(26), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool27 = defineTool({
  name: 'tool_27', description: 'Tool 27',
  input: z.object({ amount27: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount27, nested }) => ({ doubled: amount27 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin27 = definePlugin({
  name: 'plugin-27', kind: 'prompt',
  config: z.object({ threshold: z.number().default(27), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool28 = defineTool({
  name: 'tool_28', description: 'Tool 28',
  input: z.object({ amount28: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount28, nested }) => ({ doubled: amount28 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin28 = definePlugin({
  name: 'plugin-28', kind: 'prompt',
  config: z.object({ threshold: z.number().default(28), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool29 = defineTool({
  name: 'tool_29', description: 'Tool 29',
  input: z.object({ amount29: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount29, nested }) => ({ doubled: amount29 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin29 = definePlugin({
  name: 'plugin-29', kind: 'prompt',
  config: z.object({ threshold: z.number().default(29), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool30 = defineTool({
  name: 'tool_30', description: 'Tool 30',
  input: z.object({ amount30: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount30, nested }) => ({ doubled: amount30 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin30 = definePlugin({
  name: 'plugin-30', kind: 'prompt',
  config: z.object({ threshold: z.number().default(30), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool31 = defineTool({
  name: 'tool_31', description: 'Tool 31',
  input: z.object({ amount31: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount31, nested }) => ({ doubled: amount31 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin31 = definePlugin({
  name: 'plugin-31', kind: 'prompt',
  config: z.object({ threshold: z.number().default(31), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool32 = defineTool({
  name: 'tool_32', description: 'Tool 32',
  input: z.object({ amount32: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount32, nested }) => ({ doubled: amount32 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin32 = definePlugin({
  name: 'plugin-32', kind: 'prompt',
  config: z.object({ threshold: z.number().default(32), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool33 = defineTool({
  name: 'tool_33', description: 'Tool 33',
  input: z.object({ amount33: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount33, nested }) => ({ doubled: amount33 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin33 = definePlugin({
  name: 'plugin-33', kind: 'prompt',
  config: z.object({ threshold: z.number().default(33), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool34 = defineTool({
  name: 'tool_34', description: 'Tool 34',
  input: z.object({ amount34: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount34, nested }) => ({ doubled: amount34 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin34 = definePlugin({
  name: 'plugin-34', kind: 'prompt',
  config: z.object({ threshold: z.number().default(34), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool35 = defineTool({
  name: 'tool_35', description: 'Tool 35',
  input: z.object({ amount35: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount35, nested }) => ({ doubled: amount35 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin35 = definePlugin({
  name: 'plugin-35', kind: 'prompt',
  config: z.object({ threshold: z.number().default(35), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool36 = defineTool({
  name: 'tool_36', description: 'Tool 36',
  input: z.object({ amount36: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount36, nested }) => ({ doubled: amount36 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin36 = definePlugin({
  name: 'plugin-36', kind: 'prompt',
  config: z.object({ threshold: z.number().default(36), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool37 = defineTool({
  name: 'tool_37', description: 'Tool 37',
  input: z.object({ amount37: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount37, nested }) => ({ doubled: amount37 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin37 = definePlugin({
  name: 'plugin-37', kind: 'prompt',
  config: z.object({ threshold: z.number().default(37), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool38 = defineTool({
  name: 'tool_38', description: 'Tool 38',
  input: z.object({ amount38: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount38, nested }) => ({ doubled: amount38 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin38 = definePlugin({
  name: 'plugin-38', kind: 'prompt',
  config: z.object({ threshold: z.number().default(38), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool39 = defineTool({
  name: 'tool_39', description: 'Tool 39',
  input: z.object({ amount39: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount39, nested }) => ({ doubled: amount39 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin39 = definePlugin({
  name: 'plugin-39', kind: 'prompt',
  config: z.object({ threshold: z.number().default(39), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool40 = defineTool({
  name: 'tool_40', description: 'Tool 40',
  input: z.object({ amount40: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount40, nested }) => ({ doubled: amount40 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin40 = definePlugin({
  name: 'plugin-40', kind: 'prompt',
  config: z.object({ threshold: z.number().default(40), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool41 = defineTool({
  name: 'tool_41', description: 'Tool 41',
  input: z.object({ amount41: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount41, nested }) => ({ doubled: amount41 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin41 = definePlugin({
  name: 'plugin-41', kind: 'prompt',
  config: z.object({ threshold: z.number().default(41), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool42 = defineTool({
  name: 'tool_42', description: 'Tool 42',
  input: z.object({ amount42: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount42, nested }) => ({ doubled: amount42 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin42 = definePlugin({
  name: 'plugin-42', kind: 'prompt',
  config: z.object({ threshold: z.number().default(42), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool43 = defineTool({
  name: 'tool_43', description: 'Tool 43',
  input: z.object({ amount43: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount43, nested }) => ({ doubled: amount43 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin43 = definePlugin({
  name: 'plugin-43', kind: 'prompt',
  config: z.object({ threshold: z.number().default(43), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool44 = defineTool({
  name: 'tool_44', description: 'Tool 44',
  input: z.object({ amount44: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount44, nested }) => ({ doubled: amount44 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin44 = definePlugin({
  name: 'plugin-44', kind: 'prompt',
  config: z.object({ threshold: z.number().default(44), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool45 = defineTool({
  name: 'tool_45', description: 'Tool 45',
  input: z.object({ amount45: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount45, nested }) => ({ doubled: amount45 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin45 = definePlugin({
  name: 'plugin-45', kind: 'prompt',
  config: z.object({ threshold: z.number().default(45), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool46 = defineTool({
  name: 'tool_46', description: 'Tool 46',
  input: z.object({ amount46: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount46, nested }) => ({ doubled: amount46 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin46 = definePlugin({
  name: 'plugin-46', kind: 'prompt',
  config: z.object({ threshold: z.number().default(46), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool47 = defineTool({
  name: 'tool_47', description: 'Tool 47',
  input: z.object({ amount47: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount47, nested }) => ({ doubled: amount47 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin47 = definePlugin({
  name: 'plugin-47', kind: 'prompt',
  config: z.object({ threshold: z.number().default(47), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool48 = defineTool({
  name: 'tool_48', description: 'Tool 48',
  input: z.object({ amount48: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount48, nested }) => ({ doubled: amount48 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin48 = definePlugin({
  name: 'plugin-48', kind: 'prompt',
  config: z.object({ threshold: z.number().default(48), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});
export const tool49 = defineTool({
  name: 'tool_49', description: 'Tool 49',
  input: z.object({ amount49: z.number(), label: z.string().optional(), nested: z.object({ flag: z.boolean(), tags: z.array(z.enum(['a', 'b'])) }) }),
  execute: ({ amount49, nested }) => ({ doubled: amount49 * 2, flag: nested.flag, tags: nested.tags.length }),
});
export const plugin49 = definePlugin({
  name: 'plugin-49', kind: 'prompt',
  config: z.object({ threshold: z.number().default(49), mode: z.enum(['fast', 'careful']).default('fast') }),
  execute: (ctx, config) => { const limit: number = config.threshold; const mode: 'fast' | 'careful' = config.mode; ctx.store('limit', limit + mode.length); },
});

export const agent = new Agent({ tools: [tool0, tool1, tool2, tool3, tool4, tool5, tool6, tool7, tool8, tool9, tool10, tool11, tool12, tool13, tool14, tool15, tool16, tool17, tool18, tool19, tool20, tool21, tool22, tool23, tool24, tool25, tool26, tool27, tool28, tool29, tool30, tool31, tool32, tool33, tool34, tool35, tool36, tool37, tool38, tool39, tool40, tool41, tool42, tool43, tool44, tool45, tool46, tool47, tool48, tool49], plugins: [plugin0, plugin1, plugin2, plugin3, plugin4, plugin5, plugin6, plugin7, plugin8, plugin9, plugin10, plugin11, plugin12, plugin13, plugin14, plugin15, plugin16, plugin17, plugin18, plugin19, plugin20, plugin21, plugin22, plugin23, plugin24, plugin25, plugin26, plugin27, plugin28, plugin29, plugin30, plugin31, plugin32, plugin33, plugin34, plugin35, plugin36, plugin37, plugin38, plugin39, plugin40, plugin41, plugin42, plugin43, plugin44, plugin45, plugin46, plugin47, plugin48, plugin49], zeroConfig: false });
declare const context: ToolContext;
const result = await tool0.execute({ amount0: 1, nested: { flag: true, tags: ['a'] } }, context);
const doubled: number = result.doubled;
// @ts-expect-error amount0 must be a number: inference of the input schema must not degrade to any
void tool0.execute({ amount0: 'one', nested: { flag: true, tags: [] } }, context);
// @ts-expect-error the result has no such field
void result.missing;
// @ts-expect-error tags only accepts the enum values
void tool49.execute({ amount49: 1, nested: { flag: true, tags: ['c'] } }, context);
export { doubled };