import type { LandingRecord, RejectedRecord } from '../types.ts';
import type { ObjectInfo } from './describe.ts';

const NUMERIC_TYPES = new Set(['int', 'double', 'currency', 'percent', 'long']);

/**
 * Turns one Salesforce record — from REST JSON or from a Bulk 2.0 CSV row, where every value is a
 * string and '' means null — into the landing shape. Both sources yield identical JSON: numbers as
 * numbers, booleans as booleans, datetimes as ISO UTC ('…T…Z'), dates as 'YYYY-MM-DD', no
 * `attributes`. A value that does not fit its declared type is kept as received (normalize
 * reports it); only a record without an Id is rejected.
 */
export function toLandingRecord(
  raw: Record<string, unknown>,
  object: ObjectInfo,
  modstampField: string,
): LandingRecord | RejectedRecord {
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === 'attributes') continue;
    data[name] = castValue(value, object.fields[name]?.type);
  }
  return landingRecord(data, raw, object, modstampField);
}

/** The same for one row of a Bulk 2.0 CSV page under its header, without an object per raw row. */
export function csvRowToLandingRecord(
  header: readonly string[],
  row: readonly string[],
  object: ObjectInfo,
  modstampField: string,
): LandingRecord | RejectedRecord {
  if (row.length !== header.length) {
    const id = row[header.indexOf('Id')];
    return {
      crmId: id || '(missing Id)',
      reason: `${object.name} Bulk CSV row has ${row.length} fields, its header ${header.length}: ${JSON.stringify(row).slice(0, 200)}`,
    };
  }
  const data: Record<string, unknown> = {};
  for (let index = 0; index < header.length; index += 1) {
    const name = header[index]!;
    data[name] = castValue(row[index], object.fields[name]?.type);
  }
  return landingRecord(data, data, object, modstampField);
}

function landingRecord(
  data: Record<string, unknown>,
  raw: Record<string, unknown>,
  object: ObjectInfo,
  modstampField: string,
): LandingRecord | RejectedRecord {
  const id = data.Id;
  if (typeof id !== 'string' || id.length === 0) {
    return {
      crmId: '(missing Id)',
      reason: `${object.name} record without an Id: ${JSON.stringify(raw).slice(0, 200)}`,
    };
  }
  const stamp = data[modstampField];
  const modstamp = typeof stamp === 'string' ? new Date(stamp) : null;
  return {
    crmId: id,
    modstamp: modstamp && !Number.isNaN(modstamp.getTime()) ? modstamp : null,
    isDeleted: data.IsDeleted === true,
    data,
  };
}

export function isRejected(record: LandingRecord | RejectedRecord): record is RejectedRecord {
  return 'reason' in record;
}

function castValue(value: unknown, type: string | undefined): unknown {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') return value;
  switch (type) {
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'datetime': {
      const time = Date.parse(value);
      if (Number.isNaN(time)) return value;
      const iso = new Date(time).toISOString();
      // Date.parse rolls an impossible day over (30 February becomes 2 March): such a value is
      // kept as received, so normalize reports it instead of storing a date nobody entered. A
      // value already in ISO UTC form (Bulk CSV) that survives the round trip is a real day.
      return iso === value || isCalendarDay(value) ? iso : value;
    }
    default:
      if (type !== undefined && NUMERIC_TYPES.has(type)) {
        const number = Number(value);
        return value.trim() !== '' && Number.isFinite(number) ? number : value;
      }
      return value;
  }
}

/** False for text starting with a year-month-day whose day the month does not have. */
function isCalendarDay(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!match) return true;
  const [, year, month, day] = match.map(Number) as [number, number, number, number];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const length = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day >= 1 && day <= length;
}
