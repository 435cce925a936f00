import { DateTime } from 'luxon';
import { fiscalPeriods, type FiscalPeriod } from './fiscal-periods.ts';
import { LocalDays } from './local-days.ts';
import type { ResolvedWorldOptions } from './types.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A duration of (fractional) days as whole-second milliseconds, so instants stay on whole seconds. */
export function daysMs(days: number): number {
  return Math.round(days * 86_400) * 1000;
}

/**
 * The world's time frame, derived once from the options: the span covered (the last two full
 * fiscal years plus the current one to date), the sync cutoff and the fiscal quarters and months
 * quotas and close dates are placed on.
 */
export interface WorldTimeline {
  nowMs: number;
  /** now − 1 hour: no record is created, modified or deleted after it. */
  cutoffMs: number;
  /** Local midnight starting the first fiscal year of the span. */
  spanStartMs: number;
  spanStartDate: string;
  today: string;
  todayIndex: number;
  /** Every fiscal quarter from the span start through the end of the current fiscal year. */
  quarters: FiscalPeriod[];
  /** Every fiscal month of the same span. */
  months: FiscalPeriod[];
  currentYear: FiscalPeriod;
  currentQuarter: FiscalPeriod;
  nextQuarter: FiscalPeriod;
  /** Org-local days from a month before the span to the end of the next quarter or fiscal year. */
  days: LocalDays;
}

export function buildTimeline(options: ResolvedWorldOptions): WorldTimeline {
  const nowMs = Date.parse(options.now);
  const today = DateTime.fromMillis(nowMs, { zone: options.timezone }).toFormat('yyyy-MM-dd');
  const org = { fiscalYearStartMonth: options.fiscalYearStartMonth };
  const currentYear = fiscalPeriods(org, today, today).find((period) => period.type === 'year');
  if (!currentYear) throw new RangeError(`no fiscal year contains ${today}`);
  const spanStartDate = DateTime.fromISO(currentYear.startDate, { zone: 'utc' })
    .minus({ years: 2 })
    .toFormat('yyyy-MM-dd');
  // Through the quarter after the current one, which may lie in the next fiscal year.
  const horizon = DateTime.fromISO(currentYear.endDate, { zone: 'utc' })
    .plus({ months: 3 })
    .toFormat('yyyy-MM-dd');
  const periods = fiscalPeriods(org, spanStartDate, horizon);
  const allQuarters = periods.filter((period) => period.type === 'quarter');
  const currentIndex = allQuarters.findIndex(
    (quarter) => quarter.startDate <= today && today <= quarter.endDate,
  );
  const currentQuarter = allQuarters[currentIndex];
  const nextQuarter = allQuarters[currentIndex + 1];
  if (!currentQuarter || !nextQuarter) throw new RangeError(`no fiscal quarter contains ${today}`);
  const withinYear = (period: FiscalPeriod) => period.endDate <= currentYear.endDate;
  const lastDate = nextQuarter.endDate > currentYear.endDate ? nextQuarter.endDate : currentYear.endDate;
  const firstDate = DateTime.fromISO(spanStartDate, { zone: 'utc' })
    .minus({ months: 1 })
    .toFormat('yyyy-MM-dd');
  const days = new LocalDays(options.timezone, firstDate, lastDate);
  const spanStartMs = days.startMs(days.indexOfDate(spanStartDate));
  return {
    nowMs,
    cutoffMs: nowMs - HOUR_MS,
    spanStartMs,
    spanStartDate,
    today,
    todayIndex: days.indexOfDate(today),
    quarters: allQuarters.filter(withinYear),
    months: periods.filter((period) => period.type === 'month' && withinYear(period)),
    currentYear,
    currentQuarter,
    nextQuarter,
    days,
  };
}
