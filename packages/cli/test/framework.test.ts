import { describe, expect, it } from 'vitest';
import { entity } from './helpers.js';

const ALL_COMMANDS = ['init', 'chat', 'run', 'serve', 'studio', 'mcp', 'validate', 'graph', 'plugin new', 'plugin analyze', 'doctor', 'logs', 'metrics', 'ingest'];

describe('entity (help, usage errors, colours)', () => {
  it('--help lists every command and the exit codes, exit 0', async () => {
    const result = await entity(['--help']);
    expect(result.code).toBe(0);
    for (const command of ALL_COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\s`, 'm'));
    expect(result.stdout).toContain('2 usage or configuration error');
    expect(result.stderr).toBe('');
  });

  it('no arguments prints the help and exits 2', async () => {
    const result = await entity([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Usage: entity <command>');
  });

  it('--version prints the package version', async () => {
    const result = await entity(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('a misspelt command suggests the right one, exit 2', async () => {
    const result = await entity(['valdate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "valdate" — did you mean "validate"?');
  });

  it('an unknown flag is a usage error naming it, exit 2', async () => {
    const result = await entity(['graph', '--colour']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--colour'");
    expect(result.stderr).toContain('usage: entity graph [config]');
  });

  it('a missing argument is a usage error, exit 2', async () => {
    const result = await entity(['plugin', 'analyze']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('missing argument');
  });

  it('plugin without a sub-command says which exist, exit 2', async () => {
    const result = await entity(['plugin', 'remove', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown plugin command "remove"');
    expect(result.stderr).toContain('entity plugin new');
  });

  it('--json on a command without JSON output is refused, exit 2; errors come as JSON on stdout', async () => {
    const result = await entity(['chat', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE', message: '--json is not supported by "entity chat"' } });
  });

  it('each command has its own help', async () => {
    for (const command of ALL_COMMANDS) {
      const result = await entity([...command.split(' '), '--help']);
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toContain(`Usage: entity ${command}`);
    }
  });

  it('colours only on a terminal or when forced, and never with NO_COLOR', async () => {
    const piped = await entity(['--help']);
    expect(piped.stdout).not.toContain('\u001B[');
    const forced = await entity(['--help'], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain('\u001B[1mentity');
    const flag = await entity(['--help', '--color']);
    expect(flag.stdout).toContain('\u001B[');
    const noColor = await entity(['--help'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\u001B[');
    const noColorFlag = await entity(['graph', '--help', '--no-color'], { env: { FORCE_COLOR: '1' } });
    expect(noColorFlag.stdout).not.toContain('\u001B[');
  });
});
