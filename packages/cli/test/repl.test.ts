import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LineCollector } from '../src/repl/line-collector.js';
import { BIN, project } from './helpers.js';

const SCRIPTED_AGENT = fileURLToPath(new URL('./fixtures/scripted-agent.ts', import.meta.url));

describe('LineCollector (multi-line input)', () => {
  it('joins lines ending in a backslash and blocks between """ lines', () => {
    const collector = new LineCollector();
    expect(collector.push('first \\')).toBeUndefined();
    expect(collector.pending).toBe(true);
    expect(collector.push('second')).toBe('first \nsecond');
    expect(collector.push('"""')).toBeUndefined();
    expect(collector.push('a')).toBeUndefined();
    expect(collector.push('')).toBeUndefined();
    expect(collector.push('"""')).toBe('a\n');
    expect(collector.pending).toBe(false);
    expect(collector.push('plain')).toBe('plain');
  });
});

describe('entity chat in a pseudo-terminal', () => {
  it('shows a coloured prompt, streams the answer, and leaves on /exit', async () => {
    if (spawnSync('script', ['--version']).error) {
      if (process.env.CI) throw new Error('the `script` command (util-linux) is needed for the terminal test: apt-get install util-linux');
      return;
    }
    const directory = project();
    // `script` gives the CLI a real terminal; keystrokes arrive as a person would type them.
    const child = spawn('script', ['-qfec', `${process.execPath} ${BIN} chat ${SCRIPTED_AGENT}`, '/dev/null'], {
      cwd: directory,
      env: { ...process.env, TERM: 'xterm-256color', NO_COLOR: undefined, FORCE_COLOR: undefined },
    });
    let screen = '';
    child.stdout.on('data', (chunk) => (screen += chunk));
    const waitFor = async (text: string) => {
      const deadline = Date.now() + 20_000;
      while (!screen.includes(text)) {
        if (Date.now() > deadline) throw new Error(`"${text}" never appeared; screen:\n${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitFor('you › ');
    child.stdin.write('What is 4+5?\r');
    await waitFor('The answer is 9.');
    child.stdin.write('/exit\r');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(screen).toContain('\u001B[32myou › ');
    expect(screen).toMatch(/→.*add.*\{"a":4,"b":5\}/);
    expect(screen).toContain('\u001B[36mscripted › ');
  });

  it('Ctrl-C at an idle prompt leaves with exit code 130', async () => {
    if (spawnSync('script', ['--version']).error) {
      if (process.env.CI) throw new Error('the `script` command (util-linux) is needed for the terminal test: apt-get install util-linux');
      return;
    }
    const child = spawn('script', ['-qfec', `${process.execPath} ${BIN} chat ${SCRIPTED_AGENT}`, '/dev/null'], {
      cwd: project(),
      env: { ...process.env, TERM: 'xterm-256color' },
    });
    let screen = '';
    child.stdout.on('data', (chunk) => (screen += chunk));
    const deadline = Date.now() + 20_000;
    while (!screen.includes('you › ')) {
      if (Date.now() > deadline) throw new Error(`the prompt never appeared; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The terminal turns the keystroke into SIGINT for the chat, as it does for a person.
    child.stdin.write('\u0003');
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
  });
});
