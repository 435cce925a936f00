import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeriodType } from '../../db/schema.ts';
import {
  addDays,
  periodContaining,
  PERIOD_TYPES,
  type FiscalCalendar,
} from '../../src/kpi/fiscal-calendar.ts';
import { localDateSql, periodEndSql, periodLabelSql, periodStartSql } from '../../src/kpi/period-sql.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/** Every day of 2024 (a leap year) and 2027, each in its month/quarter/year. */
const DAYS = [
  ...Array.from({ length: 366 }, (_, i) => addDays('2024-01-01', i)),
  ...Array.from({ length: 365 }, (_, i) => addDays('2027-01-01', i)),
];

describe('fiscal calendar: Postgres and TypeScript agree', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  const calendars: FiscalCalendar[] = Array.from({ length: 12 }, (_, i) => i + 1).flatMap((month) => [
    { fiscalYearStartMonth: month, fiscalYearNaming: 'end' as const },
    { fiscalYearStartMonth: month, fiscalYearNaming: 'start' as const },
  ]);

  it.each(calendars)(
    'for fiscal years starting in month $fiscalYearStartMonth named by their $fiscalYearNaming',
    async (calendar) => {
      const { rows } = await sql<{
        day: string;
        period_type: PeriodType;
        start: string;
        end: string;
        label: string;
      }>`
      SELECT d.day, pt.period_type, p.start, ${periodEndSql(sql`p.start`, sql`pt.period_type`)} AS end,
             ${periodLabelSql(sql`p.start`, sql`pt.period_type`, calendar)} AS label
      FROM unnest(${DAYS}::date[]) AS d (day)
      CROSS JOIN unnest(${PERIOD_TYPES}::text[]) AS pt (period_type)
      CROSS JOIN LATERAL (SELECT ${periodStartSql(sql`d.day`, sql`pt.period_type`, calendar)} AS start) AS p
      ORDER BY 1, 2`.execute(database.db);
      const expected = DAYS.flatMap((day) =>
        [...PERIOD_TYPES].sort().map((type) => {
          const period = periodContaining(day, type, calendar);
          return { day, period_type: type, start: period.start, end: period.end, label: period.label };
        }),
      );
      expect(rows).toEqual(expected);
    },
  );

  it('takes local dates in the org time zone, across daylight saving changes', async () => {
    const instants = [
      '2026-03-08T09:59:59Z',
      '2026-03-08T10:00:00Z',
      '2026-11-01T07:30:00Z',
      '2026-05-01T06:59:59Z',
    ];
    const { rows } = await sql<{ local: string }>`
      SELECT ${localDateSql(sql`i`, 'America/Los_Angeles')} AS local FROM unnest(${instants}::timestamptz[]) AS i`.execute(
      database.db,
    );
    expect(rows.map((row) => row.local)).toEqual(['2026-03-08', '2026-03-08', '2026-11-01', '2026-04-30']);
  });
});
