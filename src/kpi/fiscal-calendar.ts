import { DateTime } from 'luxon';
import type { PeriodType } from '../../db/schema.ts';

/**
 * The fiscal calendar on the TypeScript side (CLI, quota import, writeback, digest). The KPI SQL
 * computes the same periods in Postgres (period-sql.ts); a test holds the two to agreement.
 *
 * A fiscal year starts on the first of `fiscalYearStartMonth`; quarter 1 starts with it. Shifting
 * a date back by (start month − 1) months maps the fiscal year onto a calendar year, so fiscal
 * periods are calendar periods of the shifted date, shifted forward again.
 */

export const PERIOD_TYPES: readonly PeriodType[] = ['month', 'quarter', 'year'];

export interface FiscalCalendar {
  /** First month of the fiscal year, 1–12. */
  fiscalYearStartMonth: number;
  /** A fiscal year is named by the calendar year in which it ends, or in which it starts. */
  fiscalYearNaming: 'end' | 'start';
}

export interface FiscalPeriod {
  type: PeriodType;
  /** First day, 'YYYY-MM-DD' (org-local). */
  start: string;
  /** Last day, inclusive. */
  end: string;
  /** 'Feb 2026', 'FY2027 Q1', 'FY2027'. */
  label: string;
}

const PERIOD_MONTHS: Record<PeriodType, number> = { month: 1, quarter: 3, year: 12 };

/** The fiscal month, quarter or year that contains `date` ('YYYY-MM-DD'). */
export function periodContaining(date: string, type: PeriodType, calendar: FiscalCalendar): FiscalPeriod {
  const shift = { months: calendar.fiscalYearStartMonth - 1 };
  const start = parseIsoDate(date).minus(shift).startOf(type).plus(shift);
  const end = start.plus({ months: PERIOD_MONTHS[type] }).minus({ days: 1 });
  return { type, start: formatIsoDate(start), end: formatIsoDate(end), label: label(start, type, calendar) };
}

/** Added to the calendar year of a fiscal year's start to get its name. */
export function fiscalYearNameOffset(calendar: FiscalCalendar): number {
  return calendar.fiscalYearNaming === 'end' && calendar.fiscalYearStartMonth > 1 ? 1 : 0;
}

/** Today's date in the org time zone at instant `now`: the default as_of. */
export function localDate(now: Date, timezone: string): string {
  return formatIsoDate(DateTime.fromJSDate(now, { zone: timezone }));
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `text` is a real calendar date written 'YYYY-MM-DD'. */
export function isIsoDate(text: string): boolean {
  return ISO_DATE.test(text) && DateTime.fromISO(text, { zone: 'utc' }).isValid;
}

/** Adds (or with a negative count subtracts) days to a 'YYYY-MM-DD' date. */
export function addDays(date: string, days: number): string {
  return formatIsoDate(parseIsoDate(date).plus({ days }));
}

function label(start: DateTime, type: PeriodType, calendar: FiscalCalendar): string {
  if (type === 'month') return start.setLocale('en-US').toFormat('LLL yyyy');
  const shifted = start.minus({ months: calendar.fiscalYearStartMonth - 1 });
  const year = `FY${shifted.year + fiscalYearNameOffset(calendar)}`;
  return type === 'year' ? year : `${year} Q${shifted.quarter}`;
}

function parseIsoDate(date: string): DateTime {
  if (!isIsoDate(date)) throw new RangeError(`not a 'YYYY-MM-DD' date: '${date}'`);
  return DateTime.fromISO(date, { zone: 'utc' });
}

function formatIsoDate(date: DateTime): string {
  return date.toFormat('yyyy-MM-dd');
}
