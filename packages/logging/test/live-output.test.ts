import { afterEach, describe, expect, it } from 'vitest';
import { createLogging, type LogEntry, type LoggingResource } from '../src/index.js';

const open: LoggingResource[] = [];
const quiet = (options: Parameters<typeof createLogging>[0] = {}) => {
  const logging = createLogging({ console: false, ...options });
  open.push(logging);
  return logging;
};

afterEach(async () => {
  await Promise.all(open.splice(0).map((logging) => logging.stop()));
});

describe('live subscriptions', () => {
  it('hands every entry the level lets through to subscribers, redacted, until they unsubscribe', () => {
    const logging = quiet({ level: 'info' });
    const seen: LogEntry[] = [];
    const stop = logging.subscribe((entry) => seen.push(entry));
    logging.debug('below the level');
    logging.info('first', { component: 'http', password: 'hunter2' });
    logging.child({ component: 'plugin' }).warn('second');
    stop();
    logging.error('after unsubscribe');
    expect(seen.map((entry) => entry.message)).toEqual(['first', 'second']);
    expect(seen[0]?.fields).toMatchObject({ component: 'http', password: '[REDACTED]' });
    expect(seen[1]?.bindings).toMatchObject({ component: 'plugin' });
  });

  it('keeps logging when a listener throws, and counts the failure', () => {
    const logging = quiet();
    const seen: string[] = [];
    logging.subscribe(() => {
      throw new Error('listener broke');
    });
    logging.subscribe((entry) => seen.push(entry.message));
    logging.info('still delivered');
    expect(seen).toEqual(['still delivered']);
    expect(logging.stats().outputs.find((output) => output.name === 'live')).toMatchObject({ failed: 1, lastError: 'listener broke' });
  });

  it('refuses to subscribe when live is off, saying how to turn it on', () => {
    const logging = quiet({ live: false });
    expect(() => logging.subscribe(() => {})).toThrow(/live: false/);
  });
});
