import { DateTime } from 'luxon';
import type { WorldOrg } from './types.ts';

/** A fiscal year is named by the calendar year in which it ends (the default) or starts. */
export type FiscalYearNaming = 'end' | 'start';

export type FiscalPeriodType = 'year' | 'quarter' | 'month';

export interface FiscalPeriod {
  type: FiscalPeriodType;
  /** Org-local dates 'YYYY-MM-DD', end inclusive. */
  startDate: string;
  endDate: string;
  /** The fiscal year's name, e.g. 2026 for the year Feb 2025 – Jan 2026 under 'end' naming. */
  fiscalYear: number;
  /** Fiscal quarter 1–4; null for a year. */
  quarter: number | null;
  /** Number within the fiscal year (Salesforce Period.Number): 1 for a year, quarter 1–4, month 1–12. */
  number: number;
  /** 'FY2026', 'FY2026 Q1', 'FY2026 Feb'. */
  label: string;
}

const MONTH_ABBREVIATIONS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];

/**
 * The fiscal years, quarters and months that overlap [fromDate, toDate] (org-local dates, both
 * inclusive), in calendar order with each year followed by its quarters and each quarter by its
 * months. Dates are already local, so the arithmetic runs on plain calendar dates (UTC in luxon).
 */
export function fiscalPeriods(
  org: Pick<WorldOrg, 'fiscalYearStartMonth'>,
  fromDate: string,
  toDate: string,
  naming: FiscalYearNaming = 'end',
): FiscalPeriod[] {
  const from = parseDate(fromDate);
  const to = parseDate(toDate);
  if (to < from) throw new RangeError(`fiscal period span ends (${toDate}) before it starts (${fromDate})`);
  const startMonth = org.fiscalYearStartMonth;
  const periods: FiscalPeriod[] = [];
  let yearStart = DateTime.utc(from.month >= startMonth ? from.year : from.year - 1, startMonth, 1);
  while (yearStart <= to) {
    const yearEnd = yearStart.plus({ years: 1 }).minus({ days: 1 });
    const fiscalYear = naming === 'end' ? yearEnd.year : yearStart.year;
    const overlaps = (start: DateTime, end: DateTime) => start <= to && end >= from;
    const push = (
      type: FiscalPeriodType,
      start: DateTime,
      end: DateTime,
      quarter: number | null,
      number: number,
      label: string,
    ) => {
      if (overlaps(start, end))
        periods.push({
          type,
          startDate: formatDate(start),
          endDate: formatDate(end),
          fiscalYear,
          quarter,
          number,
          label,
        });
    };
    push('year', yearStart, yearEnd, null, 1, `FY${fiscalYear}`);
    for (let quarter = 1; quarter <= 4; quarter++) {
      const quarterStart = yearStart.plus({ months: 3 * (quarter - 1) });
      push(
        'quarter',
        quarterStart,
        quarterStart.plus({ months: 3 }).minus({ days: 1 }),
        quarter,
        quarter,
        `FY${fiscalYear} Q${quarter}`,
      );
      for (let month = 1; month <= 3; month++) {
        const monthStart = quarterStart.plus({ months: month - 1 });
        const monthName = MONTH_ABBREVIATIONS[monthStart.month - 1] ?? String(monthStart.month);
        push(
          'month',
          monthStart,
          monthStart.endOf('month').startOf('day'),
          quarter,
          3 * (quarter - 1) + month,
          `FY${fiscalYear} ${monthName}`,
        );
      }
    }
    yearStart = yearStart.plus({ years: 1 });
  }
  return periods;
}

function parseDate(date: string): DateTime {
  const parsed = DateTime.fromISO(date, { zone: 'utc' });
  if (!parsed.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new RangeError(`not a 'YYYY-MM-DD' date: '${date}'`);
  return parsed;
}

function formatDate(date: DateTime): string {
  return date.toFormat('yyyy-MM-dd');
}
