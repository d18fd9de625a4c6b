// Startup benchmark of the `entity` binary: `pnpm --filter @entity/cli bench`.
// Times whole processes (spawn → exit, or spawn → first byte of the answer) and prints a table.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpenAIServer } from '@entity/test-servers';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
// Inside the package, so the project finds the @entity packages in node_modules above it.
const WORK = fileURLToPath(new URL('./.work/', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

interface Sample {
  totalMs: number;
  firstOutputMs: number | undefined;
  code: number | null;
}

function time(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstOutputMs: number | undefined;
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', () => (firstOutputMs ??= performance.now() - started));
    child.on('error', reject);
    child.on('close', (code) => resolve({ totalMs: performance.now() - started, firstOutputMs, code }));
  });
}

function nodeBaseline(): Promise<Sample> {
  return new Promise((resolve) => {
    const started = performance.now();
    spawn(process.execPath, ['-e', '0']).on('close', (code) => resolve({ totalMs: performance.now() - started, firstOutputMs: undefined, code }));
  });
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
};

async function measure(label: string, goal: string, sample: () => Promise<Sample>, pick: (s: Sample) => number | undefined) {
  await sample(); // warm-up (file cache, embedded database files)
  const values: number[] = [];
  for (let index = 0; index < RUNS; index++) {
    const result = await sample();
    if (result.code !== 0) throw new Error(`${label}: exit code ${result.code}`);
    const value = pick(result);
    if (value === undefined) throw new Error(`${label}: no output`);
    values.push(value);
  }
  return { label, runs: RUNS, median: quantile(values, 0.5), p95: quantile(values, 0.95), min: Math.min(...values), goal };
}

mkdirSync(WORK, { recursive: true });
const project = mkdtempSync(join(WORK, 'bench-'));
const openai = await startOpenAIServer({});
openai.respondWith({ text: 'The quick brown fox jumps over the lazy dog, as benchmarks like to say.' });
writeFileSync(
  join(project, 'agent.yaml'),
  `name: bench\nresources:\n  llm:\n    type: openai\n    model: gpt-4o-mini\n    baseURL: ${openai.origin}/v1\n    apiKey: sk-bench\n  memory:\n    type: pglite\n    path: ./.entity/memory\n    embedder: hashing\n`,
);
writeFileSync(join(project, 'light.yaml'), 'name: light\n');
// The same model without the embedded database: separates the PGlite start from the rest.
writeFileSync(
  join(project, 'no-memory.ts'),
  `import { Agent } from '@entity/core';\nimport { openai } from '@entity/resources-llm';\nexport default new Agent({ resources: { llm: openai({ model: 'gpt-4o-mini', baseURL: process.env.BENCH_URL, apiKey: 'sk-bench' }) }, zeroConfig: false });\n`,
);

try {
  const rows = [
    await measure('node -e 0 (baseline)', '', nodeBaseline, (s) => s.totalMs),
    await measure('entity --help', '< 150 ms', () => time(['--help'], project), (s) => s.totalMs),
    await measure('entity --version', '', () => time(['--version'], project), (s) => s.totalMs),
    await measure('entity validate light.yaml', '', () => time(['validate', 'light.yaml'], project), (s) => s.totalMs),
    await measure('entity run → first token (OpenAI loopback, PGlite memory)', '', () => time(['run', 'agent.yaml', 'hello'], project), (s) => s.firstOutputMs),
    await measure('entity run → exit', '', () => time(['run', 'agent.yaml', 'hello'], project), (s) => s.totalMs),
    await measure('entity run → first token (OpenAI loopback, in-process memory)', '', () => time(['run', 'no-memory.ts', 'hello'], project, { BENCH_URL: `${openai.origin}/v1` }), (s) => s.firstOutputMs),
  ];
  const format = (value: number) => `${value.toFixed(1)}`;
  const table = [
    ['measurement', 'runs', 'median ms', 'p95 ms', 'min ms', 'goal'],
    ...rows.map((row) => [row.label, String(row.runs), format(row.median), format(row.p95), format(row.min), row.goal]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  for (const [index, row] of table.entries()) {
    console.log(row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  }
  console.log(`\nnode ${process.version}, ${RUNS} runs each after one warm-up; machine load affects absolute numbers (compare with the baseline row).`);
} finally {
  await openai.close();
  rmSync(project, { recursive: true, force: true });
}
