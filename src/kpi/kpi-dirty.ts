import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

/**
 * The writer side of incremental KPI runs, called by normalize (and the quota import) in the same
 * transaction as the canonical rows they change.
 *
 * For every canonical row it inserts, updates or deletes, the writer marks the OLD and the NEW
 * owner × each org-local day of the OLD and the NEW version on which a KPI the change can move
 * counts (canonical-upsert.ts says which days, table by table):
 *   leads          owner × created day (local date of created_at), converted_on
 *   activities     owner × activity day (local date of occurred_at, else occurred_on)
 *   opportunities  owner × created day, close_date
 *   proposals      owner × created day, and its opportunity's owner × close_date (a syncing or
 *                  accepted proposal gives the opportunity's discount)
 *   line_items     the owner × close_date of its opportunity and of its proposal's opportunity
 *   quotas         rep_id × period_start
 * kpi_dirty keeps the month of each day: fiscal periods are whole months, and a month is what the
 * next `attain kpis` with the same as_of and settings recomputes — with the quarter and year
 * containing it, the managers' team rows and the org rows. (A day-per-row table held ten times
 * the rows after a backfill, to be deleted again by the first KPI run.)
 *
 * When the reporting tree or the rep set changes — a reps row inserted or deleted, manager_id,
 * is_active or is_deleted changed — call requireFullKpiRecompute instead: team membership and the
 * "active rep" rows depend on every rep, so the next run recomputes everything.
 */

export interface KpiDirtyMark {
  repId: string;
  /** Org-local date 'YYYY-MM-DD' (kept as its month). */
  day: string;
}

type Executor = Kysely<DB> | Transaction<DB>;

/** Records that the KPI inputs of (rep, day) changed. Duplicates are harmless. */
export async function markKpiDirty(
  db: Executor,
  connectionId: string,
  marks: readonly KpiDirtyMark[],
): Promise<void> {
  if (marks.length === 0) return;
  const repIds = marks.map((mark) => mark.repId);
  const days = marks.map((mark) => mark.day);
  await insertKpiDirtySql(
    connectionId,
    sql`SELECT * FROM unnest(${repIds}::text[], ${days}::date[])`,
  ).execute(db);
}

/**
 * The INSERT that marks a query's (rep_id, day) rows dirty, usable as a statement or as the body
 * of a data-modifying CTE in normalize SQL. NULL rep ids or days are skipped.
 */
export function insertKpiDirtySql(connectionId: string, marks: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    INSERT INTO kpi_dirty (connection_id, rep_id, month_start)
    SELECT DISTINCT ${connectionId}, m.rep_id, date_trunc('month', m.day)::date
    FROM (${marks}) AS m (rep_id, day)
    WHERE m.rep_id IS NOT NULL AND m.day IS NOT NULL
    ON CONFLICT DO NOTHING`;
}

/**
 * Set-based form for normalize SQL: `marks` is a query yielding (rep_id, day) rows, e.g.
 * `SELECT owner_rep_id, close_date FROM changed_opportunities`.
 */
export async function markKpiDirtyFrom(
  db: Executor,
  connectionId: string,
  marks: RawBuilder<unknown>,
): Promise<void> {
  await insertKpiDirtySql(connectionId, marks).execute(db);
}

/** The next KPI run for the connection recomputes everything (reporting tree or rep set changed). */
export async function requireFullKpiRecompute(db: Executor, connectionId: string): Promise<void> {
  // Without a kpi_state row the next run is a full one anyway.
  await db
    .updateTable('kpi_state')
    .set({ full_required: true })
    .where('connection_id', '=', connectionId)
    .execute();
}
