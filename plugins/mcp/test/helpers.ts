import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Agent, inMemoryLogger, inMemoryMemory, type LLM } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';

export const EXAMPLE_SERVER = fileURLToPath(new URL('./fixtures/example-server.ts', import.meta.url));

/** The example server over stdio, as a server entry of the plugin's config. */
export const stdioServer = (allow: string[], extra: Record<string, unknown> = {}) => ({ command: process.execPath, args: [EXAMPLE_SERVER], allow, ...extra });

/** An agent with a scripted model, in-memory resources and a logger that keeps what it got. */
export function testAgent(plugins: Parameters<Agent['use']>[0][], llm: LLM = scriptedLLM(['ok'])) {
  const logging = inMemoryLogger({ echoLevel: false, level: 'debug' });
  const agent = new Agent({ resources: { llm, memory: inMemoryMemory(), logging }, plugins: plugins as never, zeroConfig: false });
  return { agent, logging };
}

/** Whether process `pid` is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'the condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts the example server over HTTP on loopback; resolves with its URL and process. */
export async function startHttpExample(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [EXAMPLE_SERVER, '--http'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`example server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/mcp`, child };
}
