import { definePlugin, defineTool } from '@entity/core';
import { z } from 'zod';

export default () =>
  definePlugin({
    name: 'allow-list',
    kind: 'tool',
    config: z.object({ allow: z.array(z.string()) }),
    toolsFromConfig: ({ allow }) => allow.map((name) => defineTool({ name, description: `tool ${name}`, input: z.object({}), execute: () => name })),
  });
