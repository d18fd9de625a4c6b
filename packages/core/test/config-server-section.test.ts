import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Agent, validateConfig } from '../src/index.js';
import { compileConfig, readConfigDocument } from '../src/internal.js';

function configFile(yaml: string, dotEnv?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'entity-server-section-'));
  writeFileSync(join(dir, 'agent.yaml'), yaml);
  if (dotEnv) writeFileSync(join(dir, '.env'), dotEnv);
  return join(dir, 'agent.yaml');
}

const WITH_SERVER = `name: served
defaultWorkflow: false
server:
  port: \${PORT:-8080}
  auth:
    apiKeys: \${ENTITY_API_KEYS}
  cors: { origins: [https://app.example] }
`;

describe('the server section', () => {
  it('is accepted and passed through opaque (core does not check what belongs to @entity/plugin-http)', async () => {
    const file = configFile(WITH_SERVER);
    const compiled = await compileConfig(file, { environment: { ENTITY_API_KEYS: '[]' } });
    expect(compiled.report.issues).toEqual([]);
    expect(compiled.document?.server).toEqual({ port: 8080, auth: { apiKeys: '[]' }, cors: { origins: ['https://app.example'] } });
    // It is not an agent option.
    expect(compiled.agentOptions).not.toHaveProperty('server');
    const agent = await Agent.fromConfig(file, { environment: { ENTITY_API_KEYS: '[]' } });
    expect(agent.name).toBe('served');
  });

  it('must be a mapping, and unknown top-level keys are still refused', async () => {
    const report = await validateConfig(configFile('server: 8080\nsevrer: {}\n'));
    expect(report.issues.map((issue) => issue.path).sort()).toEqual(['server', 'sevrer']);
    expect(report.issues.find((issue) => issue.path === 'sevrer')).toMatchObject({ message: 'unknown key "sevrer"', fix: 'did you mean "server"?' });
  });

  it('can be read without building the agent, interpolated like the rest (readConfigDocument)', async () => {
    const file = configFile(WITH_SERVER, 'PORT=9090\n');
    const read = await readConfigDocument(file, {});
    expect(read.document.server).toEqual({ port: 9090, auth: { apiKeys: '${ENTITY_API_KEYS}' }, cors: { origins: ['https://app.example'] } });
    expect(read.issues).toEqual([expect.objectContaining({ path: 'server.auth.apiKeys', message: 'environment variable ENTITY_API_KEYS is not set' })]);
    expect(read.baseDir).toBe(join(file, '..'));
  });
});
