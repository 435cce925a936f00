import type { Kysely } from 'kysely';
import type { DB, PeriodType, RepPeriodKpi } from '../../db/schema.ts';
import { periodContaining, type FiscalCalendar, type FiscalPeriod } from './fiscal-calendar.ts';

/** Every stored column of a rep_period_kpis row, plus the rep's (or manager's) name. */
export type LeaderboardRow = RepPeriodKpi & { name: string | null };

export interface Leaderboard {
  asOf: string;
  period: FiscalPeriod;
  /** Reps by attainment (highest first, no quota last), then team rows, then the org total. */
  rows: LeaderboardRow[];
}

const SCOPE_ORDER = { rep: 0, team: 1, org: 2 } as const;

/** The rows of the fiscal period of `periodType` containing as_of, in leaderboard order. */
export async function loadLeaderboard(
  db: Kysely<DB>,
  request: { connectionId: string; asOf: string; periodType: PeriodType; calendar: FiscalCalendar },
): Promise<Leaderboard> {
  const period = periodContaining(request.asOf, request.periodType, request.calendar);
  const rows = await db
    .selectFrom('rep_period_kpis as k')
    .leftJoin('reps as r', (join) =>
      join.onRef('r.connection_id', '=', 'k.connection_id').onRef('r.rep_id', '=', 'k.rep_id'),
    )
    .selectAll('k')
    .select('r.name')
    .where('k.connection_id', '=', request.connectionId)
    .where('k.as_of', '=', request.asOf)
    .where('k.period_type', '=', request.periodType)
    .where('k.period_start', '=', period.start)
    .execute();
  return { asOf: request.asOf, period, rows: rows.sort(compareRows) };
}

function compareRows(a: LeaderboardRow, b: LeaderboardRow): number {
  return (
    SCOPE_ORDER[a.scope] - SCOPE_ORDER[b.scope] ||
    (b.attainment ?? -Infinity) - (a.attainment ?? -Infinity) ||
    (a.name ?? a.rep_id).localeCompare(b.name ?? b.rep_id, 'en')
  );
}
