import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const register = fileURLToPath(new URL('./register-ts.mjs', import.meta.url));

/** Runs a TypeScript script (test/fixtures/...) in a fresh Node process that can import the package's sources. */
export function spawnScript(script: string, args: string[] = [], options: { nodeArgs?: string[] } = {}): ChildProcess {
  const path = fileURLToPath(new URL(`../fixtures/${script}`, import.meta.url));
  return spawn(process.execPath, ['--no-warnings', '--import', register, ...(options.nodeArgs ?? []), path, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's output and waits for it to exit; rejects with its stderr when it fails. */
export function runScript(script: string, args: string[] = [], options: { nodeArgs?: string[] } = {}): Promise<string> {
  const child = spawnScript(script, args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${script} exited with ${code ?? signal}:\n${stderr}\n${stdout}`));
    });
  });
}
