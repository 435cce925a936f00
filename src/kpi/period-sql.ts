import { sql, type RawBuilder } from 'kysely';
import type { PeriodType } from '../../db/schema.ts';
import { fiscalYearNameOffset, type FiscalCalendar } from './fiscal-calendar.ts';

/**
 * The fiscal calendar as Postgres date arithmetic, the same rule as fiscal-calendar.ts: shift a
 * date back by (start month − 1) months, truncate it to the calendar month/quarter/year with
 * date_trunc, shift it forward again. A period type is either a constant or a column holding
 * 'month' | 'quarter' | 'year' (which are also date_trunc's unit names).
 */

type PeriodTypeSql = PeriodType | RawBuilder<unknown>;

/** One row per period type, as `pt(period_type)`: cross join it to fan a date out to its three periods. */
export const periodTypesSql = sql`(VALUES ('month'::text), ('quarter'), ('year')) AS pt (period_type)`;

/**
 * The same fan-out as a select-list column `period_type` (a set-returning unnest): no join, so a
 * statement planned without nested loops fans out without one either.
 */
export function periodTypeColumnSql(
  types: readonly PeriodType[] = ['month', 'quarter', 'year'],
): RawBuilder<string> {
  return sql<string>`unnest(ARRAY[${sql.join(types.map((type) => sql.lit(type)))}]::text[]) AS period_type`;
}

function periodTypeSql(type: PeriodTypeSql): RawBuilder<unknown> {
  return typeof type === 'string' ? sql`${sql.lit(type)}::text` : type;
}

function fiscalShift(calendar: FiscalCalendar): RawBuilder<unknown> {
  return sql`make_interval(months => ${sql.lit(calendar.fiscalYearStartMonth - 1)})`;
}

/** First day (a date) of the fiscal period of `type` containing the date `day`. */
export function periodStartSql(
  day: RawBuilder<unknown>,
  type: PeriodTypeSql,
  calendar: FiscalCalendar,
): RawBuilder<string> {
  const shift = fiscalShift(calendar);
  return sql<string>`(date_trunc(${periodTypeSql(type)}, ${day} - ${shift}) + ${shift})::date`;
}

/** Last day (inclusive) of the period of `type` starting on `start`. */
export function periodEndSql(start: RawBuilder<unknown>, type: PeriodTypeSql): RawBuilder<string> {
  const length = sql`CASE ${periodTypeSql(type)} WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months' ELSE interval '1 year' END`;
  return sql<string>`((${start} + ${length})::date - 1)`;
}

/** 'Feb 2026' for a month, 'FY2027 Q1' for a quarter, 'FY2027' for a year ('Mon' is never localized). */
export function periodLabelSql(
  start: RawBuilder<unknown>,
  type: PeriodTypeSql,
  calendar: FiscalCalendar,
): RawBuilder<string> {
  const shifted = sql`(${start} - ${fiscalShift(calendar)})`;
  const typeSql = periodTypeSql(type);
  return sql<string>`CASE ${typeSql}
    WHEN 'month' THEN to_char(${start}::timestamp, 'Mon YYYY')
    ELSE 'FY' || (extract(year FROM ${shifted})::int + ${sql.lit(fiscalYearNameOffset(calendar))})::text
      || CASE ${typeSql} WHEN 'quarter' THEN ' Q' || extract(quarter FROM ${shifted})::int::text ELSE '' END
  END`;
}

/** The org-local date of a timestamptz expression. */
export function localDateSql(instant: RawBuilder<unknown>, timezone: string): RawBuilder<string> {
  return sql<string>`(${instant} AT TIME ZONE ${timezone})::date`;
}

/** The instant at which the org-local date `day` begins. */
export function localMidnightSql(day: RawBuilder<unknown>, timezone: string): RawBuilder<Date> {
  return sql<Date>`(${day}::timestamp AT TIME ZONE ${timezone})`;
}
