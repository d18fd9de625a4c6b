import { closestKey } from '@entity/core/internal';

let zones: string[] | undefined;

/** The IANA zones this Node knows (`Intl`), plus `UTC`, which `supportedValuesOf` leaves out. */
function knownZones(): string[] {
  zones ??= ['UTC', ...Intl.supportedValuesOf('timeZone')];
  return zones;
}

/**
 * The zone's canonical name (`europe/paris` → `Europe/Paris`), or a sentence saying it is not a
 * zone and which one was probably meant. `Intl` alone would accept offsets such as `+01:00`;
 * they are refused because they carry no daylight-saving rules.
 */
export function checkTimeZone(zone: string): { ok: true; zone: string } | { ok: false; message: string } {
  const trimmed = zone.trim();
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(trimmed)) {
    try {
      return { ok: true, zone: new Intl.DateTimeFormat('en-US', { timeZone: trimmed }).resolvedOptions().timeZone };
    } catch {
      // Not a zone: fall through to the message.
    }
  }
  const suggestion = closestKey(trimmed, knownZones()) ?? knownZones().find((known) => known.toLowerCase().endsWith(`/${trimmed.toLowerCase().replaceAll(' ', '_')}`));
  return {
    ok: false,
    message: `"${zone}" is not an IANA time zone${suggestion ? `; did you mean "${suggestion}"?` : '.'} Use a name such as "Europe/Paris", "America/New_York" or "UTC".`,
  };
}
