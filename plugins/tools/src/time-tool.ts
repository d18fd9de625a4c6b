import { ConfigError, defineTool, ToolError } from '@entity/core';
import { z } from 'zod';
import { checkTimeZone } from './time-zones.js';

export interface TimeToolOptions {
  /** Zone used when the model names none. Default: `UTC`. */
  defaultTimeZone?: string;
  /** The clock; pass one in tests. Default: `() => new Date()`. */
  now?: () => Date;
}

const pad = (value: number) => String(value).padStart(2, '0');

/** `+01:00` style offset of `zone` at `date`, from Intl's `longOffset` (`GMT+01:00`, `GMT` for zero). */
function offsetOf(date: Date, zone: string): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return part === 'GMT' ? '+00:00' : part.slice(3);
}

/** The wall-clock time in `zone` as ISO 8601 with its offset, e.g. `2026-12-01T20:17:22+01:00`. */
export function localIsoTime(date: Date, zone: string): { iso: string; weekday: string; offset: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'long',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const offset = offsetOf(date, zone);
  return { iso: `${parts.year}-${parts.month}-${parts.day}T${pad(Number(parts.hour))}:${parts.minute}:${parts.second}${offset}`, weekday: parts.weekday!, offset };
}

/**
 * `current_time`: the current date and time in an IANA time zone, so the model stops guessing
 * "today". An unknown zone is a `ToolError` naming it and the likely intended zone.
 */
export function currentTimeTool(options: TimeToolOptions = {}) {
  const now = options.now ?? (() => new Date());
  const configured = checkTimeZone(options.defaultTimeZone ?? 'UTC');
  if (!configured.ok) throw new ConfigError([{ path: 'time.defaultTimeZone', message: configured.message, fix: 'set an IANA zone name, e.g. Europe/Paris' }]);
  const defaultZone = configured.zone;
  return defineTool({
    name: 'current_time',
    description: `Get the current date, time and weekday in an IANA time zone (default ${defaultZone}).`,
    input: z
      .object({
        timeZone: z.string().max(64).optional().describe(`IANA time zone, e.g. "Europe/Paris", "America/New_York", "Asia/Tokyo" (default ${defaultZone})`),
      })
      .strict(),
    execute({ timeZone }) {
      let zone = defaultZone;
      if (timeZone !== undefined) {
        const checked = checkTimeZone(timeZone);
        if (!checked.ok) throw new ToolError('current_time', checked.message);
        zone = checked.zone;
      }
      const date = now();
      return { timeZone: zone, ...localIsoTime(date, zone), utc: date.toISOString(), unixSeconds: Math.floor(date.getTime() / 1000) };
    },
  });
}
