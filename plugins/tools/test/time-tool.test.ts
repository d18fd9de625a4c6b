import { ConfigError, ToolError, type ToolContext } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { currentTimeTool } from '../src/index.js';

const context = {} as ToolContext;
const summer = () => new Date('2026-07-01T12:00:00Z');
const winter = () => new Date('2026-12-01T23:30:00Z');

describe('current_time', () => {
  it('gives the wall-clock time, weekday and offset in an IANA zone, with daylight saving', async () => {
    const tool = currentTimeTool({ now: summer });
    expect(await tool.execute({ timeZone: 'Europe/Paris' }, context)).toEqual({
      timeZone: 'Europe/Paris',
      iso: '2026-07-01T14:00:00+02:00',
      weekday: 'Wednesday',
      offset: '+02:00',
      utc: '2026-07-01T12:00:00.000Z',
      unixSeconds: 1782907200,
    });
    const later = currentTimeTool({ now: winter });
    expect(await later.execute({ timeZone: 'Europe/Paris' }, context)).toMatchObject({ iso: '2026-12-02T00:30:00+01:00', weekday: 'Wednesday', offset: '+01:00' });
    expect(await later.execute({ timeZone: 'America/New_York' }, context)).toMatchObject({ iso: '2026-12-01T18:30:00-05:00', weekday: 'Tuesday' });
    expect(await later.execute({ timeZone: 'Asia/Kolkata' }, context)).toMatchObject({ iso: '2026-12-02T05:00:00+05:30' });
  });

  it('uses the default zone (UTC unless configured) when the model names none, and canonical names', async () => {
    expect(await currentTimeTool({ now: winter }).execute({}, context)).toMatchObject({ timeZone: 'UTC', iso: '2026-12-01T23:30:00+00:00', offset: '+00:00' });
    expect(await currentTimeTool({ now: winter, defaultTimeZone: 'Asia/Tokyo' }).execute({}, context)).toMatchObject({ timeZone: 'Asia/Tokyo', iso: '2026-12-02T08:30:00+09:00' });
    expect(await currentTimeTool({ now: winter }).execute({ timeZone: 'europe/paris' }, context)).toMatchObject({ timeZone: 'Europe/Paris' });
  });

  it.each([
    ['Europe/Pariss', /"Europe\/Pariss" is not an IANA time zone; did you mean "Europe\/Paris"\?/],
    ['Tokyo', /"Tokyo" is not an IANA time zone; did you mean "Asia\/Tokyo"\?/],
    ['+01:00', /"\+01:00" is not an IANA time zone\. Use a name such as "Europe\/Paris"/],
    ['Mars/Olympus_Mons', /"Mars\/Olympus_Mons" is not an IANA time zone/],
    ['', /"" is not an IANA time zone/],
  ])('refuses the zone %j with a ToolError naming it', async (zone, message) => {
    const tool = currentTimeTool({ now: summer });
    const error = await Promise.resolve()
      .then(() => tool.execute({ timeZone: zone }, context))
      .catch((caught: unknown) => caught);
    expect(ToolError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a bad default zone when the tool is built', () => {
    expect(() => currentTimeTool({ defaultTimeZone: 'Europe/Pariss' })).toThrow(ConfigError);
    expect(() => currentTimeTool({ defaultTimeZone: 'Europe/Pariss' })).toThrow(/did you mean "Europe\/Paris"/);
  });

  it('limits the zone argument in its JSON Schema', () => {
    expect(currentTimeTool().parameters).toMatchObject({ properties: { timeZone: { type: 'string', maxLength: 64 } }, additionalProperties: false });
  });
});
