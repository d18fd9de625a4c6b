import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePgliteTemplate, seedPgliteFolder } from '@entity/resources-memory/testing';

await ensurePgliteTemplate();

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
/**
 * Test projects live under test/.work (git-ignored) so that, like a real project, they find the
 * @entity packages in node_modules above them (here: this package's).
 */
export const WORK = fileURLToPath(new URL('./.work/', import.meta.url));

const MODEL_VARIABLES = ['OLLAMA_HOST', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'DATABASE_URL', 'NO_COLOR', 'FORCE_COLOR', 'PORT'];

export interface EntityResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface EntityOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Written to stdin, then stdin is closed. */
  input?: string;
  timeoutMs?: number;
}

/** Spawns the built `entity` binary. Model variables are cleared; Ollama points at a closed port unless set. */
export function entity(args: readonly string[], options: EntityOptions = {}): Promise<EntityResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !MODEL_VARIABLES.includes(key)) env[key] = value;
  env.OLLAMA_HOST = 'http://127.0.0.1:1';
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  mkdirSync(WORK, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? WORK, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A fresh project directory with these files (paths relative to it). */
export function project(files: Record<string, string> = {}, prefix = 'project-'): string {
  mkdirSync(WORK, { recursive: true });
  const directory = mkdtempSync(join(WORK, prefix));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, path)), { recursive: true });
    writeFileSync(join(directory, path), content);
  }
  return directory;
}

/** True when a stack trace frame appears in the text. */
export const hasStackTrace = (text: string) => /\n\s+at .+[:(].*\d+:\d+/.test(text);

/** A tool module the test projects load from YAML. */
export const ADD_TOOL = `import { defineTool } from '@entity/core';
import { z } from 'zod';
export const add = defineTool({
  name: 'add',
  description: 'Add two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => a + b,
});
`;

/**
 * A `memory` block on one embedded database shared by the tests of a file: creating a PGlite
 * database costs seconds, reopening it is fast. The hashing embedder keeps its dimensions fixed
 * whichever provider a test uses.
 */
export function sharedMemoryYaml(path: string): string {
  // Starts as a copy of an initialised database: the first process to open it skips the initdb.
  seedPgliteFolder(path);
  return `  memory:\n    type: pglite\n    path: ${path}\n    embedder: hashing\n`;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters a terminal acts on, which output must never hold
export const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the CLI's own colour codes
const OWN_COLOUR = /\u001b\[[0-9;]*m/g;
/** Output with the CLI's own colours removed: what is left must hold no terminal control. */
export const withoutOwnColour = (text: string): string => text.replace(OWN_COLOUR, '');
