import { hostname } from 'node:os';
import type { Instrumentation, OperationStart } from '@entity/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogging, type LoggingResource } from '../src/index.js';
import { BrokenStream, CaptureStream } from '../src/testing/index.js';

const open: LoggingResource[] = [];
const jsonLogging = (options: Parameters<typeof createLogging>[0] = {}) => {
  const capture = new CaptureStream();
  const logging = createLogging({ console: { pretty: false, destination: capture }, ...options });
  open.push(logging);
  return { logging, capture };
};

afterEach(async () => {
  await Promise.all(open.splice(0).map((logging) => logging.stop()));
});

/** Characters a terminal acts on, other than newline and tab. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these characters
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the logger's own colour codes
const OWN_COLOUR = /\u001b\[[0-9;]*m/g;

let nextId = 1;
const operation = (partial: Partial<OperationStart> & Pick<OperationStart, 'kind' | 'name'>): OperationStart => ({
  id: nextId++,
  startTime: performance.now(),
  runId: 'run-1',
  userId: 'u1',
  conversationId: 'c1',
  ...partial,
});

describe('createLogging', () => {
  it('writes JSON lines with level, time, message, hostname, pid and the structured fields', async () => {
    const { logging, capture } = jsonLogging();
    logging.info('hello', { component: 'plugin', plugin: 'p1', runId: 'r1', userId: 'u1', durationMs: 1.5 });
    await logging.flush();
    const [entry] = capture.entries();
    expect(entry).toMatchObject({ level: 'info', msg: 'hello', component: 'plugin', plugin: 'p1', runId: 'r1', userId: 'u1', durationMs: 1.5 });
    expect(entry!.hostname).toBe(hostname());
    expect(entry!.pid).toBe(process.pid);
    expect(entry!.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Math.abs(Date.parse(String(entry!.time)) - Date.now())).toBeLessThan(60_000);
  });

  it('renames fields that would clash with the keys pino writes', async () => {
    const { logging, capture } = jsonLogging();
    logging.info('clash', { level: 'user-level', msg: 'field message', time: 5 });
    await logging.flush();
    expect(capture.text.match(/"level":/g)).toHaveLength(1);
    expect(capture.entries()[0]).toMatchObject({ level: 'info', msg: 'clash', field_level: 'user-level', field_msg: 'field message', field_time: 5 });
  });

  it('leaves out hostname and pid when asked', async () => {
    const { logging, capture } = jsonLogging({ hostname: false, pid: false });
    logging.warn('x');
    await logging.flush();
    expect(capture.entries()[0]).not.toHaveProperty('hostname');
    expect(capture.entries()[0]).not.toHaveProperty('pid');
  });

  it('applies the level, then per-component, per-resource and per-plugin filters (most specific wins)', async () => {
    const { logging, capture } = jsonLogging({
      level: 'info',
      filters: { components: { resource: 'warn', pipeline: 'debug' }, resources: { llm: 'debug', memory: 'off' }, plugins: { noisy: 'error' } },
    });
    logging.debug('dropped: below info');
    logging.debug('kept: pipeline at debug', { component: 'pipeline' });
    logging.info('dropped: resource at warn', { component: 'resource', resource: 'storage' });
    logging.debug('kept: llm at debug', { component: 'resource', resource: 'llm' });
    logging.error('dropped: memory off', { component: 'resource', resource: 'memory' });
    logging.warn('dropped: noisy at error', { component: 'plugin', plugin: 'noisy' });
    logging.error('kept: noisy error', { component: 'plugin', plugin: 'noisy' });
    await logging.flush();
    expect(capture.entries().map((entry) => entry.msg)).toEqual(['kept: pipeline at debug', 'kept: llm at debug', 'kept: noisy error']);
  });

  it('children add bindings, which filters also see', async () => {
    const { logging, capture } = jsonLogging({ filters: { plugins: { quiet: 'error' } } });
    const pluginLog = logging.child({ component: 'plugin', plugin: 'quiet', runId: 'r9' });
    pluginLog.info('filtered by the binding');
    pluginLog.error('kept', { iteration: 2 });
    logging.child({ correlationId: 'req-7' }).child({ userId: 'u2' }).info('nested');
    await logging.flush();
    expect(capture.entries()).toEqual([
      expect.objectContaining({ msg: 'kept', plugin: 'quiet', runId: 'r9', iteration: 2, level: 'error' }),
      expect.objectContaining({ msg: 'nested', correlationId: 'req-7', userId: 'u2' }),
    ]);
  });

  it('redacts secrets in fields, bindings and messages before any output sees them', async () => {
    const file = new CaptureStream();
    const { logging, capture } = jsonLogging({ redact: { paths: ['request.body.ssn'] }, outputs: [] });
    const child = logging.child({ apiKey: 'sk-live-abcdefghijklmnopqrstuvwxyz' });
    child.info('auth with Bearer abcdefghijklmnop1234', {
      request: { headers: { authorization: 'Basic dXNlcjpwYXNz' }, body: { ssn: '078-05-1120', name: 'Ann' } },
      err: new Error('bad key sk-proj-AbCdEfGhIjKlMnOpQrStUv'),
    });
    await logging.flush();
    const written = capture.text + file.text;
    for (const secret of ['sk-live', 'abcdefghijklmnop1234', 'dXNlcjpwYXNz', '078-05-1120', 'sk-proj-AbCd']) {
      expect(written).not.toContain(secret);
    }
    expect(capture.entries()[0]).toMatchObject({
      msg: 'auth with Bearer [REDACTED]',
      apiKey: '[REDACTED]',
      request: { headers: { authorization: '[REDACTED]' }, body: { ssn: '[REDACTED]', name: 'Ann' } },
      err: { type: 'Error', message: 'bad key [REDACTED]' },
    });
  });

  it('never throws into the caller when an output fails, and counts the loss', async () => {
    const broken = new BrokenStream();
    broken.on('error', () => undefined);
    const logging = createLogging({ console: { destination: broken, pretty: false } });
    open.push(logging);
    expect(() => {
      for (let index = 0; index < 10; index++) logging.error('still fine', { index });
    }).not.toThrow();
    await logging.flush();
    const stats = logging.stats().outputs[0]!;
    expect(stats.failed).toBe(10);
    expect(stats.lastError).toContain('EPIPE');
    expect((await logging.healthCheck()).healthy).toBe(false);
  });

  it('drops (and counts) entries beyond the bounded buffer instead of growing or blocking', async () => {
    const { logging, capture } = jsonLogging({ console: { pretty: false, destination: new CaptureStream(), maxQueuedBytes: 2048 } });
    void capture;
    for (let index = 0; index < 200; index++) logging.info('x'.repeat(100), { index });
    const before = logging.stats().outputs[0]!;
    expect(before.dropped).toBeGreaterThan(150);
    await logging.flush();
    const after = logging.stats().outputs[0]!;
    expect(after.written + after.dropped).toBe(200 + 1); // +1: the "dropped N entries" notice
  });

  it('counts the bounded buffer in bytes, not UTF-16 units: multibyte text cannot overrun it', async () => {
    const maxQueuedBytes = 4096;
    const capture = new CaptureStream();
    const { logging } = jsonLogging({ hostname: false, pid: false, console: { pretty: false, destination: capture, maxQueuedBytes } });
    // 200 characters of 2 bytes each, plus a 4-byte emoji: each line is ~1.7x longer in bytes than in units.
    const message = `${'ü'.repeat(200)}😀`;
    for (let index = 0; index < 50; index++) logging.info(message, { index });
    await logging.flush();
    const accepted = capture.text.split('\n').filter((line) => line.includes(message));
    expect(accepted.length).toBeGreaterThan(0);
    const acceptedBytes = accepted.reduce((total, line) => total + Buffer.byteLength(`${line}\n`), 0);
    expect(acceptedBytes).toBeLessThanOrEqual(maxQueuedBytes);
    expect(logging.stats().outputs[0]!.dropped).toBe(50 - accepted.length);
  });

  it('console output never passes terminal control sequences through (pretty and JSON)', async () => {
    const hostile = 'ok\u001b[2J\u001b]0;pwned\u0007\u001b]8;;http://evil\u001b\\link\u001b[31mred\rover\bx\u009b1;1H\u202egnp.exe\u0000\u007f\tend\nnext';
    const pretty = new CaptureStream();
    const prettyLogging = createLogging({ console: { destination: pretty, colors: true } });
    open.push(prettyLogging);
    prettyLogging.warn(hostile, { component: `plugin\u001b[1A`, reply: hostile, err: Object.assign(new Error(hostile), { stack: `Error: x\n    at \u001b[2Kevil (file.ts:1:1)` }) });
    await prettyLogging.flush();
    // Only our own colour codes (ESC [ digits/semicolons m) remain.
    const withoutOwnColours = pretty.text.replace(OWN_COLOUR, '');
    expect(withoutOwnColours).not.toMatch(TERMINAL_CONTROL);
    expect(withoutOwnColours).toContain('oklinkredoverxgnp.exe\tend\nnext');
    // The OSC title sequence went whole, not just its escape byte (field values show it JSON-escaped, inert).
    expect(pretty.text.split(' reply=')[0]).not.toContain('pwned');

    const json = new CaptureStream();
    const jsonOutput = createLogging({ console: { pretty: false, destination: json } });
    open.push(jsonOutput);
    jsonOutput.warn(hostile, { reply: hostile });
    await jsonOutput.flush();
    expect(json.text).not.toMatch(TERMINAL_CONTROL);
    // Escaped, not lost: the line still parses to the original text.
    expect(json.entries()[0]).toMatchObject({ msg: hostile, reply: hostile });
  });

  it('pretty console output is readable, and has no colour codes when not a terminal', async () => {
    const capture = new CaptureStream();
    const logging = createLogging({ console: { destination: capture }, level: 'debug' });
    open.push(logging);
    logging.info('plugin completed', { component: 'plugin', plugin: 'entity:think', stage: 'THINK', iteration: 1, durationMs: 2.5 });
    await logging.flush();
    expect(capture.text).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} INFO {2}\[plugin entity:think THINK#1\] plugin completed durationMs=2\.5/);
    expect(capture.text).not.toContain('\u001b[');
    const coloured = new CaptureStream();
    const colourful = createLogging({ console: { destination: coloured, colors: true } });
    open.push(colourful);
    colourful.error('boom');
    await colourful.flush();
    expect(coloured.text).toContain('\u001b[31m');
  });
});

describe('logging instrumentation', () => {
  const run = (instrumentation: Instrumentation) => {
    const runOp = operation({ kind: 'run', name: 'run' });
    const endRun = instrumentation.start(runOp);
    const stageOp = operation({ kind: 'stage', name: 'THINK', stage: 'THINK', iteration: 1, parentId: runOp.id });
    const endStage = instrumentation.start(stageOp);
    const pluginOp = operation({ kind: 'plugin', name: 'entity:think', stage: 'THINK', iteration: 1, parentId: stageOp.id });
    const endPlugin = instrumentation.start(pluginOp);
    const llmOp = operation({ kind: 'resource', name: 'llm', operation: 'chat', stage: 'THINK', parentId: pluginOp.id });
    const endLlm = instrumentation.start(llmOp);
    endLlm?.({ durationMs: 5.25, success: true, attributes: { model: 'test-model', provider: 'test', inputTokens: 10, outputTokens: 4 } });
    endPlugin?.({ durationMs: 6, success: true });
    endStage?.({ durationMs: 6.5, success: true });
    const toolOp = operation({ kind: 'tool', name: 'add', stage: 'DO', iteration: 1, parentId: runOp.id });
    instrumentation.start(toolOp)?.({ durationMs: 1, success: false, errorType: 'TOOL_ERROR', error: new Error('bad args') });
    endRun?.({ durationMs: 9, success: true });
  };

  it('writes one entry per operation end with the issue’s fields, at the configured levels', async () => {
    const { logging, capture } = jsonLogging({ level: 'debug' });
    run(logging.instrumentation);
    await logging.flush();
    const entries = capture.entries();
    expect(entries.map((entry) => [entry.level, entry.msg])).toEqual([
      ['debug', 'llm.chat completed in 5.25 ms'],
      ['debug', 'plugin entity:think completed in 6 ms'],
      ['debug', 'stage THINK completed in 6.5 ms'],
      ['debug', 'tool add failed (TOOL_ERROR) in 1 ms'],
      ['info', 'run completed in 9 ms'],
    ]);
    expect(entries[0]).toMatchObject({
      component: 'resource',
      resource: 'llm',
      operation: 'chat',
      runId: 'run-1',
      userId: 'u1',
      conversationId: 'c1',
      stage: 'THINK',
      durationMs: 5.25,
      success: true,
      model: 'test-model',
      inputTokens: 10,
      outputTokens: 4,
    });
    expect(entries[1]).toMatchObject({ component: 'plugin', plugin: 'entity:think', iteration: 1, parentOperationId: expect.any(Number) });
    expect(entries[3]).toMatchObject({ component: 'tool', tool: 'add', errorType: 'TOOL_ERROR', err: { message: 'bad args' } });
    expect(entries[4]).toMatchObject({ component: 'pipeline', success: true });
  });

  it('skips operations nobody would see: at level info only the run is written', async () => {
    const { logging, capture } = jsonLogging({ level: 'info' });
    const llmStart = logging.instrumentation.start(operation({ kind: 'resource', name: 'llm', operation: 'chat' }));
    // A failure is still worth a warning, so resource calls keep an end callback.
    expect(llmStart).toBeTypeOf('function');
    const quiet = createLogging({ level: 'error', console: false, outputs: [] });
    expect(quiet.instrumentation.start(operation({ kind: 'stage', name: 'PARSE' }))).toBeUndefined();
    run(logging.instrumentation);
    await logging.flush();
    expect(capture.entries().map((entry) => entry.msg)).toEqual(['run completed in 9 ms']);
  });
});
