/**
 * Value formats on the wire (spec §2): datetimes as `2024-01-01T00:00:00.000+0000` (UTC), dates as
 * `YYYY-MM-DD`. Records store datetimes in exactly this form, so comparing two of them as strings
 * compares the instants, and filters never parse dates while scanning.
 */

export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The stored form of a UTC ISO instant; the common `….000Z` spelling is converted without parsing. */
export function storedDateTime(iso: string): string {
  return iso.length === 24 && iso.endsWith('Z')
    ? `${iso.slice(0, 23)}+0000`
    : formatDateTime(Date.parse(iso));
}

/** Parses an ISO-8601 instant with `Z`, `±hh:mm` or `±hhmm`; null when it is not one. */
export function parseDateTime(text: string): number | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)(Z|[+-]\d{2}:?\d{2})$/.exec(text);
  if (!match) return null;
  const zone = match[2] === 'Z' ? 'Z' : `${match[2]!.slice(0, 3)}:${match[2]!.slice(-2)}`;
  const ms = Date.parse(`${match[1]}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}

/** Normalises any accepted instant to the stored form; null when it is not an instant. */
export function normalizeDateTime(text: string): string | null {
  const ms = parseDateTime(text);
  return ms === null ? null : formatDateTime(ms);
}

export function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(text);
}

const QUARTER_HOUR_MS = 15 * 60_000;
const localDates = new Map<string, { format: Intl.DateTimeFormat; byQuarterHour: Map<number, string> }>();

/**
 * The calendar date of instant `ms` in time zone `timezone`. Every UTC offset and DST change falls
 * on a quarter hour, so one Intl call per quarter hour serves every instant in it (the world has
 * a million of them).
 */
export function localDate(ms: number, timezone: string): string {
  let zone = localDates.get(timezone);
  if (!zone) {
    const format = new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    localDates.set(timezone, (zone = { format, byQuarterHour: new Map() }));
  }
  const slot = Math.floor(ms / QUARTER_HOUR_MS);
  let date = zone.byQuarterHour.get(slot);
  if (date === undefined) zone.byQuarterHour.set(slot, (date = zone.format.format(slot * QUARTER_HOUR_MS)));
  return date;
}

/** Bulk 2.0 CSV writes datetimes with a `Z` (spec §5.2). */
export function csvDateTime(stored: string): string {
  return stored.endsWith('+0000') ? `${stored.slice(0, -5)}Z` : stored;
}
