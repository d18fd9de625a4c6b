import type { GeneratedFile } from './plugin-templates.js';
import { projectPackageJson } from './project-manifest.js';

export type LlmChoice = 'ollama' | 'openai' | 'anthropic';
export type MemoryChoice = 'pglite' | 'postgres' | 'none';

export interface ProjectChoices {
  name: string;
  llm: LlmChoice;
  memory: MemoryChoice;
  storage: boolean;
}

export const LLM_CHOICES: readonly LlmChoice[] = ['ollama', 'openai', 'anthropic'];
export const MEMORY_CHOICES: readonly MemoryChoice[] = ['pglite', 'postgres', 'none'];

const LLM_YAML: Record<LlmChoice, string> = {
  ollama: `  llm:
    type: ollama
    model: \${OLLAMA_MODEL:-llama3.2:3b}
    host: \${OLLAMA_HOST:-http://localhost:11434}`,
  openai: `  llm:
    type: openai
    model: \${OPENAI_MODEL:-gpt-4o-mini}
    # The key comes from OPENAI_API_KEY (environment or .env). For an OpenAI-compatible server, add baseURL.`,
  anthropic: `  llm:
    type: anthropic
    model: \${ANTHROPIC_MODEL:-claude-haiku-4-5}
    # The key comes from ANTHROPIC_API_KEY (environment or .env).`,
};

const MEMORY_YAML: Record<MemoryChoice, string> = {
  pglite: `  memory:
    type: pglite
    path: ./.entity/memory`,
  postgres: `  memory:
    type: postgres
    url: \${DATABASE_URL:-postgres://postgres@localhost:5432/postgres}`,
  none: '',
};

const KEY_OF: Record<LlmChoice, string | undefined> = { ollama: undefined, openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' };

function agentYaml(choices: ProjectChoices): string {
  const resources = [LLM_YAML[choices.llm], MEMORY_YAML[choices.memory], choices.storage ? '  storage:\n    type: local\n    root: ./agent_files' : '']
    .filter(Boolean)
    .join('\n');
  return `# yaml-language-server: $schema=${AGENT_SCHEMA_PATH}
# ${choices.name}: the agent's configuration. Check it with \`entity validate\`; draw it with \`entity graph\`.
# \${VAR} and \${VAR:-default} come from the environment or .env.
name: ${choices.name}
instructions: |
  You are a helpful, concise assistant. Use the add tool for arithmetic.
maxIterations: 5

resources:
${resources}

plugins:
  - ./plugins/word-count.ts
  - ./tools/calculator.ts
${choices.storage ? '  - ./plugins/files.ts   # read_file, write_file, list_files over the storage resource\n' : ''}`;
}

/**
 * Where the generated agent.yaml finds its JSON Schema (editors with the YAML language server
 * complete and check the file with it): the copy @entity/cli ships, a devDependency of the project.
 */
export const AGENT_SCHEMA_PATH = './node_modules/@entity/cli/schema/agent.schema.json';

const FILES_PLUGIN = `import { filesPlugin } from '@entity/resources-storage';

/**
 * Lets the model read, write and list files in the storage resource (\`storage:\` in agent.yaml),
 * each user confined to their own folder, with a quota so a model cannot fill the disk.
 */
export default filesPlugin({ quota: { maxBytes: '20 MB', maxFiles: 200 } });
`;

const WORD_COUNT = `import { definePlugin } from '@entity/core';

/**
 * A sample input plugin (runs in PARSE, before the model is asked). It counts the words of the
 * message and keeps the count for later plugins: \`ctx.load('word-count')\`.
 */
export const wordCount = definePlugin({
  name: 'word-count',
  kind: 'input',
  description: 'Counts the words of the incoming message',
  execute(ctx) {
    const words = ctx.message.trim().split(/\\s+/).filter(Boolean).length;
    ctx.store('word-count', words);
    ctx.log.debug('counted words', { words });
  },
});

export default wordCount;
`;

const CALCULATOR = `import { defineTool } from '@entity/core';
import { z } from 'zod';

/** A sample tool the model can call. The description tells the model when to use it. */
export const add = defineTool({
  name: 'add',
  description: 'Add two numbers. Use it for any addition instead of calculating yourself.',
  input: z.object({ a: z.number().describe('first number'), b: z.number().describe('second number') }),
  execute: ({ a, b }) => a + b,
});
`;

const STORAGE_TEST = `
  it('writes a file with the write_file tool, into the user\\'s own folder', async () => {
    const storage = inMemoryStorage();
    const llm = scriptedLLM((_request, index) =>
      index === 0 ? { toolCalls: [{ name: 'write_file', arguments: { path: 'notes/todo.md', content: 'buy milk' } }] } : 'Saved.',
    );
    const agent = new Agent({ resources: { llm, storage }, plugins: [files], zeroConfig: false });
    const result = await agent.chat('Note: buy milk', { userId: 'ada' });
    expect(result.info.toolCalls.map((call) => call.name)).toEqual(['write_file']);
    expect((await storage.list('')).items.map((item) => item.key)).toEqual(['users/ada/notes/todo.md']);
    await agent.stop();
  });
`;

function agentTest(choices: ProjectChoices): string {
  const key = KEY_OF[choices.llm];
  return `import { fileURLToPath } from 'node:url';
import { Agent, definePlugin, validateConfig } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { describe, expect, it } from 'vitest';
import { wordCount } from '../plugins/word-count.ts';
import { add } from '../tools/calculator.ts';
${choices.storage ? "import { inMemoryStorage } from '@entity/resources-storage';\nimport files from '../plugins/files.ts';\n" : ''}
describe('${choices.name}', () => {
  it('has a valid agent.yaml (structure and dependency graph)', async () => {
${key ? `    // Creating the ${choices.llm} resource needs a key; validation never calls the API.\n    process.env.${key} ??= 'placeholder-for-validation';\n` : ''}    const report = await validateConfig(fileURLToPath(new URL('../agent.yaml', import.meta.url)));
    expect(report.issues).toEqual([]);
  });

  it('answers 2+3 by calling the add tool', async () => {
    // A scripted model: first it asks for the tool, then it answers with the tool's result.
    const llm = scriptedLLM((request, index) =>
      index === 0 ? { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] } : \`2 + 3 = \${request.messages.at(-1)?.content}\`,
    );
    const agent = new Agent({ resources: { llm }, plugins: [wordCount], tools: [add], zeroConfig: false });
    const result = await agent.chat('What is 2+3?');
    expect(result.text).toBe('2 + 3 = 5');
    expect(result.info.toolCalls.map((call) => call.name)).toEqual(['add']);
    await agent.stop();
  });

  it('counts the words of the message before the model is asked', async () => {
    let counted: unknown;
    const spy = definePlugin({ name: 'spy', kind: 'prompt', execute: (ctx) => void (counted = ctx.load('word-count')) });
    const agent = new Agent({ resources: { llm: scriptedLLM(['ok']) }, plugins: [wordCount, spy], zeroConfig: false });
    await agent.chat('how are you today');
    expect(counted).toBe(4);
    await agent.stop();
  });
${choices.storage ? STORAGE_TEST : ''}});
`;
}

function readme(choices: ProjectChoices): string {
  const key = KEY_OF[choices.llm];
  const model =
    choices.llm === 'ollama'
      ? 'Start [Ollama](https://ollama.com) and pull the model: `ollama pull llama3.2:3b`.'
      : `Put your key in \`.env\`: \`${key}=...\` (see \`.env.example\`).`;
  return `# ${choices.name}

An Entity agent. \`npx entity --help\` lists the commands; \`node_modules/@entity/cli/README.md\` explains them.

## Start

\`\`\`sh
pnpm install        # or npm install
${choices.llm === 'ollama' ? 'ollama pull llama3.2:3b' : `cp .env.example .env   # then add your ${key}`}
pnpm chat           # talk to it (entity chat)
pnpm ask "What is 2+3?"
\`\`\`

${model}${choices.memory === 'postgres' ? ' Memory uses PostgreSQL with pgvector at `DATABASE_URL`.' : choices.memory === 'pglite' ? ' Conversations are kept in an embedded database under `.entity/`.' : ''}

## Layout

- \`agent.yaml\` — resources (model, memory${choices.storage ? ', storage' : ''}) and plugins. \`pnpm validate\` checks it; \`pnpm graph\` draws it. Its first line points editors that use the YAML language server (e.g. VS Code's YAML extension) at its JSON Schema, for completion and checks as you type.
- \`plugins/word-count.ts\` — a sample input plugin (PARSE stage).
- \`tools/calculator.ts\` — a sample tool the model can call.
${choices.storage ? '- `plugins/files.ts` — file tools (`read_file`, `write_file`, `list_files`) over the storage resource, in `agent_files/`.\n' : ''}- \`test/agent.test.ts\` — tests with a scripted model: \`pnpm test\`; \`pnpm typecheck\` checks the types.

Add a plugin with \`npx entity plugin new <name> --kind tool|prompt|input|output|failure\`.
When something does not work, \`pnpm doctor\` checks your setup.
`;
}

/** `localPackages`: package name → `file:` specifier, for projects installing from `--packages`. */
export function projectFiles(choices: ProjectChoices, localPackages?: ReadonlyMap<string, string>): GeneratedFile[] {
  const key = KEY_OF[choices.llm];
  const envLines = [
    key ? `${key}=` : 'OLLAMA_HOST=http://localhost:11434',
    ...(choices.memory === 'postgres' ? ['DATABASE_URL=postgres://postgres@localhost:5432/postgres'] : []),
  ];
  return [
    { path: 'package.json', content: projectPackageJson(choices, localPackages) },
    { path: 'agent.yaml', content: agentYaml(choices) },
    { path: 'plugins/word-count.ts', content: WORD_COUNT },
    { path: 'tools/calculator.ts', content: CALCULATOR },
    ...(choices.storage ? [{ path: 'plugins/files.ts', content: FILES_PLUGIN }] : []),
    { path: 'test/agent.test.ts', content: agentTest(choices) },
    { path: 'README.md', content: readme(choices) },
    { path: '.env.example', content: `${envLines.join('\n')}\n` },
    { path: '.gitignore', content: 'node_modules/\n.entity/\nagent_files/\n.env\n' },
    {
      path: 'tsconfig.json',
      content: `${JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2023',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            allowImportingTsExtensions: true,
            verbatimModuleSyntax: true,
            skipLibCheck: true,
            types: ['node'],
          },
          include: ['plugins', 'tools', 'test'],
        },
        null,
        2,
      )}\n`,
    },
  ];
}
