import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileConfig } from '../src/internal.js';

const environment = { PIN: '0123', FLAG: 'true', MAX: '3', EMPTY: '', WORD: 'word' };

async function compileFile(name: string, text: string, env: Record<string, string> = environment) {
  const dir = mkdtempSync(join(tmpdir(), 'entity-env-'));
  writeFileSync(join(dir, name), text);
  return compileConfig(join(dir, name), { environment: env });
}

describe('${VAR} interpolation', () => {
  it('keeps quoted YAML scalars strings whatever the variable holds', async () => {
    const compiled = await compileFile('agent.yaml', 'name: "${FLAG}"\ninstructions: "${PIN}"\ndefaultWorkflow: false\n');
    expect(compiled.report.issues).toEqual([]);
    expect(compiled.document).toMatchObject({ name: 'true', instructions: '0123' });
  });

  it('keeps single-quoted and block scalars strings too', async () => {
    const compiled = await compileFile('agent.yaml', "name: '${MAX}'\ninstructions: |\n  ${PIN}\ndefaultWorkflow: false\n");
    expect(compiled.document).toMatchObject({ name: '3', instructions: '0123\n' });
  });

  it('types an unquoted scalar as YAML would read the text', async () => {
    const compiled = await compileFile('agent.yaml', 'maxIterations: ${MAX}\ndefaultWorkflow: ${FLAG}\ninstructions: pin ${PIN}\n');
    expect(compiled.report.issues).toEqual([]);
    expect(compiled.document).toMatchObject({ maxIterations: 3, defaultWorkflow: true, instructions: 'pin 0123' });
  });

  it('keeps JSON strings strings', async () => {
    const compiled = await compileFile('agent.json', JSON.stringify({ instructions: '${PIN}', name: '${FLAG}', defaultWorkflow: false }));
    expect(compiled.report.issues).toEqual([]);
    expect(compiled.document).toMatchObject({ instructions: '0123', name: 'true' });
  });

  it('keeps strings of an object config strings', async () => {
    const compiled = await compileConfig({ instructions: '${PIN}', name: '${FLAG}', defaultWorkflow: false }, { environment });
    expect(compiled.report.issues).toEqual([]);
    expect(compiled.document).toMatchObject({ instructions: '0123', name: 'true' });
  });

  it('treats an empty variable as empty, not unset; `:-` defaults on unset or empty, `-` only on unset', async () => {
    const compiled = await compileFile(
      'agent.yaml',
      'instructions: "[${EMPTY}]"\nname: "${EMPTY:-fallback}/${NOT_SET:-other}/${EMPTY-kept}/${NOT_SET-used}/${WORD:-unused}"\ndefaultWorkflow: false\n',
    );
    expect(compiled.report.issues).toEqual([]);
    expect(compiled.document).toMatchObject({ instructions: '[]', name: 'fallback/other//used/word' });
  });

  it('still reports an unset variable without a default, with its path', async () => {
    const compiled = await compileFile('agent.yaml', 'instructions: "${NOT_SET_ANYWHERE}"\ndefaultWorkflow: false\n');
    expect(compiled.report.issues).toEqual([expect.objectContaining({ path: 'instructions', message: 'environment variable NOT_SET_ANYWHERE is not set' })]);
  });

  it('names the path of a placeholder inside a list', async () => {
    const compiled = await compileFile('agent.yaml', 'defaultWorkflow: false\nworkflow:\n  THINK: [a, "${NOT_SET_IN_LIST}"]\n');
    expect(compiled.report.issues).toEqual([expect.objectContaining({ path: 'workflow.THINK.1' })]);
  });

  it('reads only variables that are set: `${toString}` and `${constructor}` are unset, not Object\'s methods', async () => {
    const compiled = await compileFile('agent.yaml', 'instructions: "${toString}"\nname: "${constructor:-agent}/${__proto__:-p}/${hasOwnProperty-h}"\ndefaultWorkflow: false\n');
    expect(compiled.report.issues).toEqual([expect.objectContaining({ path: 'instructions', message: 'environment variable toString is not set' })]);
    expect(compiled.document).toMatchObject({ name: 'agent/p/h' });
    // The same for an object config and the real environment merged with .env.
    const fromObject = await compileConfig({ instructions: '${valueOf:-plain}', defaultWorkflow: false }, {});
    expect(fromObject.report.issues).toEqual([]);
    expect(fromObject.document).toMatchObject({ instructions: 'plain' });
  });

  it('refuses a placeholder nested in a default, with the path and a fix, instead of keeping it as text', async () => {
    const compiled = await compileFile('agent.yaml', 'instructions: "${DB_URL:-${FALLBACK_URL}}"\ndefaultWorkflow: false\n', { FALLBACK_URL: 'postgres://db/x' });
    expect(compiled.report.ok).toBe(false);
    expect(compiled.report.issues).toEqual([
      expect.objectContaining({ path: 'instructions', message: expect.stringMatching(/default of \$\{DB_URL\} contains another placeholder.*cannot be nested/), fix: expect.stringMatching(/literal default/) }),
    ]);
  });
});
