import { sql, type Kysely } from 'kysely';
import type { DB, PeriodType } from '../../db/schema.ts';
import { figuresFromRow, hasActivity } from './figures.ts';
import type { Audience, DigestPeriod, PeriodKind, WonDeal } from './model.ts';

/**
 * Reads what a digest shows. Every KPI comes from rep_period_kpis as the kpis stage left it —
 * the team row for the team, the org row for the org — and nothing here recomputes one. The
 * reporting tree (reps.manager_id) decides which rep rows belong to a manager's team.
 */

export interface DigestData {
  audience: Audience;
  asOf: string;
  /** Quarter first, then month; without `changes`, which depend on the previous digest. */
  periods: Omit<DigestPeriod, 'changes'>[];
  /** Won deals of the quarter with the longest cycles, longest first. */
  wonDeals: WonDeal[];
}

const PERIOD_KINDS: readonly PeriodKind[] = ['quarter', 'month'];
// Enough long-cycle candidates for the insights, which show at most a couple.
const WON_DEAL_CANDIDATES = 20;

/** The newest as_of the kpis stage computed for the connection, on or before `onOrBefore`. */
export async function latestAsOf(
  db: Kysely<DB>,
  connectionId: string,
  onOrBefore: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('rep_period_kpis')
    .select((eb) => eb.fn.max('as_of').as('as_of'))
    .where('connection_id', '=', connectionId)
    .where('as_of', '<=', onOrBefore)
    .executeTakeFirst();
  return row?.as_of ?? null;
}

/** Everyone reporting to `managerRepId`, directly or indirectly (a cycle in the data ends the walk). */
export async function teamMembers(
  db: Kysely<DB>,
  connectionId: string,
  managerRepId: string,
): Promise<string[]> {
  const { rows } = await sql<{ rep_id: string }>`
    WITH RECURSIVE tree (rep_id) AS (
      SELECT rep_id FROM reps WHERE connection_id = ${connectionId} AND manager_id = ${managerRepId}
      UNION
      SELECT r.rep_id FROM reps r JOIN tree t ON r.manager_id = t.rep_id WHERE r.connection_id = ${connectionId}
    )
    SELECT rep_id FROM tree WHERE rep_id <> ${managerRepId} ORDER BY rep_id`.execute(db);
  return rows.map((row) => row.rep_id);
}

export interface LoadDigestOptions {
  connectionId: string;
  audience: Audience;
  asOf: string;
  /** Org time zone: an opportunity's created date is taken there, as the KPIs do. */
  timeZone: string;
  /** Won deals shorter than this are not candidates for the long-cycle insight. */
  minCycleDays: number;
}

/** The digest's numbers, or null when the KPI table has no row for this team at `asOf`. */
export async function loadDigestData(db: Kysely<DB>, options: LoadDigestOptions): Promise<DigestData | null> {
  const { connectionId, audience, asOf } = options;
  // A manager's own row is shown too when they carry a quota or sell (a player-coach).
  const members =
    audience.kind === 'team'
      ? [audience.managerRepId, ...(await teamMembers(db, connectionId, audience.managerRepId))]
      : null;
  const names = await repNames(db, connectionId);
  const periods: DigestData['periods'] = [];
  for (const kind of PERIOD_KINDS) {
    const period = await loadPeriod(db, options, kind, members, names);
    if (period) periods.push(period);
  }
  if (periods.length === 0) return null;
  const quarter = periods.find((period) => period.kind === 'quarter');
  const wonDeals = quarter ? await loadWonDeals(db, options, quarter.start, members, names) : [];
  return { audience, asOf, periods, wonDeals };
}

async function repNames(db: Kysely<DB>, connectionId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('reps')
    .select(['rep_id', 'name', 'email'])
    .where('connection_id', '=', connectionId)
    .execute();
  return new Map(rows.map((row) => [row.rep_id, row.name ?? row.email ?? row.rep_id]));
}

async function loadPeriod(
  db: Kysely<DB>,
  { connectionId, audience, asOf }: LoadDigestOptions,
  kind: PeriodKind,
  members: string[] | null,
  names: Map<string, string>,
): Promise<Omit<DigestPeriod, 'changes'> | null> {
  const periodType: PeriodType = kind;
  // The current period is the latest one that has started by as_of (period_end's inclusivity is
  // the kpis stage's business, not ours).
  const group = await db
    .selectFrom('rep_period_kpis')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('as_of', '=', asOf)
    .where('period_type', '=', periodType)
    .where('period_start', '<=', asOf)
    .where('scope', '=', audience.kind)
    .where('rep_id', '=', audience.kind === 'team' ? audience.managerRepId : '*')
    .orderBy('period_start', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!group) return null;
  let query = db
    .selectFrom('rep_period_kpis')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('as_of', '=', asOf)
    .where('period_type', '=', periodType)
    .where('period_start', '=', group.period_start)
    .where('scope', '=', 'rep');
  if (members) query = query.where('rep_id', 'in', members);
  const rows = await query.execute();
  const reps = rows
    .map((row) => ({
      repId: row.rep_id,
      name: names.get(row.rep_id) ?? row.rep_id,
      figures: figuresFromRow(row),
    }))
    .filter((rep) => hasActivity(rep.figures))
    .sort((a, b) => a.name.localeCompare(b.name, 'en') || a.repId.localeCompare(b.repId, 'en'));
  return {
    kind,
    label: group.period_label,
    start: group.period_start,
    end: group.period_end,
    team: figuresFromRow(group),
    reps,
  };
}

async function loadWonDeals(
  db: Kysely<DB>,
  { connectionId, asOf, timeZone, minCycleDays }: LoadDigestOptions,
  quarterStart: string,
  members: string[] | null,
  names: Map<string, string>,
): Promise<WonDeal[]> {
  // The same cycle the KPIs use: close date minus the created date in the org time zone, never negative.
  const cycleDays = sql<number>`greatest(0, o.close_date - (o.created_at AT TIME ZONE ${timeZone})::date)`;
  let query = db
    .selectFrom('opportunities as o')
    .select(['o.opportunity_id', 'o.name', 'o.owner_rep_id', 'o.amount_home', 'o.close_date'])
    .select(cycleDays.as('cycle_days'))
    .where('o.connection_id', '=', connectionId)
    .where('o.is_won', '=', true)
    .where('o.is_deleted', '=', false)
    .where('o.close_date', '>=', quarterStart)
    .where('o.close_date', '<=', asOf)
    .where(cycleDays, '>=', minCycleDays);
  if (members) query = query.where('o.owner_rep_id', 'in', members);
  const rows = await query
    .orderBy('cycle_days', 'desc')
    .orderBy('o.opportunity_id')
    .limit(WON_DEAL_CANDIDATES)
    .execute();
  return rows.map((row) => ({
    opportunityId: row.opportunity_id,
    name: row.name ?? row.opportunity_id,
    repId: row.owner_rep_id,
    repName: names.get(row.owner_rep_id) ?? row.owner_rep_id,
    amount: row.amount_home,
    closeDate: row.close_date!,
    cycleDays: Number(row.cycle_days),
  }));
}
