import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { localFileStorage } from '../src/index.js';
import { describeStorageConformance } from '../src/testing/index.js';

const base = mkdtempSync(join(tmpdir(), 'entity-storage-local-'));
let counter = 0;
afterAll(() => rmSync(base, { recursive: true, force: true }));

describeStorageConformance('local', (options) => localFileStorage({ ...options, root: join(base, `s${++counter}`) }));
