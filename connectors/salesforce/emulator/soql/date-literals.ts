import { DateTime } from 'luxon';
import { formatDateTime } from '../wire-format.ts';

/**
 * SOQL relative date literals (TODAY, LAST_N_DAYS:30, THIS_FISCAL_QUARTER…). Each names a span of
 * org-local days, evaluated against the emulator clock in the org time zone; weeks start on
 * Sunday (en_US) and fiscal quarters/years follow the org's fiscal year start month.
 */

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'fiscal_quarter' | 'fiscal_year';

/** Span in units relative to the current unit: [from, to) where 0 is the current one. */
type Span = (n: number) => { unit: Unit; from: number; to: number };

const FIXED: Record<string, Span> = {
  YESTERDAY: () => ({ unit: 'day', from: -1, to: 0 }),
  TODAY: () => ({ unit: 'day', from: 0, to: 1 }),
  TOMORROW: () => ({ unit: 'day', from: 1, to: 2 }),
  LAST_90_DAYS: () => ({ unit: 'day', from: -90, to: 1 }),
  NEXT_90_DAYS: () => ({ unit: 'day', from: 1, to: 91 }),
};

const UNIT_WORDS: Record<string, Unit> = {
  WEEK: 'week',
  MONTH: 'month',
  QUARTER: 'quarter',
  YEAR: 'year',
  FISCAL_QUARTER: 'fiscal_quarter',
  FISCAL_YEAR: 'fiscal_year',
};
for (const [word, unit] of Object.entries(UNIT_WORDS)) {
  FIXED[`THIS_${word}`] = () => ({ unit, from: 0, to: 1 });
  FIXED[`LAST_${word}`] = () => ({ unit, from: -1, to: 0 });
  FIXED[`NEXT_${word}`] = () => ({ unit, from: 1, to: 2 });
}

const WITH_N: Record<string, Span> = {
  // LAST_N_DAYS includes today (n + 1 days); NEXT_N_DAYS starts tomorrow.
  LAST_N_DAYS: (n) => ({ unit: 'day', from: -n, to: 1 }),
  NEXT_N_DAYS: (n) => ({ unit: 'day', from: 1, to: n + 1 }),
  N_DAYS_AGO: (n) => ({ unit: 'day', from: -n, to: -n + 1 }),
};
for (const [word, unit] of Object.entries(UNIT_WORDS)) {
  WITH_N[`LAST_N_${word}S`] = (n) => ({ unit, from: -n, to: 0 });
  WITH_N[`NEXT_N_${word}S`] = (n) => ({ unit, from: 1, to: n + 1 });
  WITH_N[`N_${word}S_AGO`] = (n) => ({ unit, from: -n, to: -n + 1 });
}

export function isDateLiteralName(upper: string): boolean {
  return upper in FIXED || upper in WITH_N;
}

export function takesN(upper: string): boolean {
  return upper in WITH_N;
}

export interface OrgCalendar {
  nowMs: number;
  timezone: string;
  fiscalYearStartMonth: number;
}

/** The literal's span: org-local dates and the matching UTC instants (stored form), end exclusive. */
export interface DateRange {
  startDate: string;
  endDate: string;
  startInstant: string;
  endInstant: string;
}

export function dateLiteralRange(name: string, n: number | null, calendar: OrgCalendar): DateRange {
  const span = (FIXED[name] ?? WITH_N[name])!(n ?? 0);
  const today = DateTime.fromMillis(calendar.nowMs, { zone: calendar.timezone }).startOf('day');
  const current = unitStart(today, span.unit, calendar.fiscalYearStartMonth);
  const start = shift(current, span.unit, span.from);
  const end = shift(current, span.unit, span.to);
  return {
    startDate: start.toISODate()!,
    endDate: end.toISODate()!,
    startInstant: formatDateTime(start.toMillis()),
    endInstant: formatDateTime(end.toMillis()),
  };
}

function unitStart(today: DateTime, unit: Unit, fiscalStartMonth: number): DateTime {
  switch (unit) {
    case 'day':
      return today;
    case 'week':
      // luxon weeks start on Monday; en_US weeks start on Sunday.
      return today.minus({ days: today.weekday % 7 });
    case 'month':
      return today.startOf('month');
    case 'quarter':
      return today.startOf('quarter');
    case 'year':
      return today.startOf('year');
    case 'fiscal_quarter':
    case 'fiscal_year': {
      const monthsIntoYear = (today.month - fiscalStartMonth + 12) % 12;
      const back = unit === 'fiscal_year' ? monthsIntoYear : monthsIntoYear % 3;
      return today.startOf('month').minus({ months: back });
    }
  }
}

function shift(start: DateTime, unit: Unit, count: number): DateTime {
  switch (unit) {
    case 'day':
      return start.plus({ days: count });
    case 'week':
      return start.plus({ weeks: count });
    case 'month':
      return start.plus({ months: count });
    case 'quarter':
    case 'fiscal_quarter':
      return start.plus({ months: 3 * count });
    case 'year':
    case 'fiscal_year':
      return start.plus({ years: count });
  }
}
