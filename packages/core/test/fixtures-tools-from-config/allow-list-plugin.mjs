import { definePlugin, defineTool } from '@entity/core';
import { z } from 'zod';

const allowList = (tools = []) =>
  definePlugin({
    name: 'allow-list',
    kind: 'tool',
    config: z.object({ allow: z.array(z.string()) }),
    tools,
    configure: ({ allow }) => allowList(allow.map((name) => defineTool({ name, description: `tool ${name}`, input: z.object({}), execute: () => name }))),
  });

export default () => allowList();
