import { createHash } from 'node:crypto';
import { sql, type Kysely, type RawBuilder, type Selectable, type Transaction } from 'kysely';
import type { DB, KpiScope, KpiStateTable } from '../../db/schema.ts';
import { closedPeriodChanges, type ClosedPeriodChanges } from './closed-period-changes.ts';
import { monthSumsSql, negativeCycleSql, type FactParams } from './facts-sql.ts';
import { ADDITIVE_COLUMNS } from './kpi-columns.ts';
import { localMidnightSql, periodEndSql, periodStartSql, periodTypesSql } from './period-sql.ts';
import {
  insertRowsSql,
  mediansSql,
  monthChangeSql,
  movedFingerprintKeysSql,
  orgSumsSql,
  repDeltaSql,
  ROW_COLUMNS,
  repSumsSql,
  storedMediansSql,
  teamSumsSql,
  wonDealsSql,
  type InsertRowsParams,
  type MedianKeys,
  type RowsTarget,
} from './rollup-sql.ts';
import type { KpiSettings } from './settings.ts';

/**
 * One KPI computation for a connection and as_of, in one transaction: rep rows from the canonical
 * tables, then team rows (everyone below a manager) and the org row from the rep rows.
 *
 * Full: every row of the as_of is recomputed. Incremental (same as_of and settings as the last
 * run, no reporting-tree change): only the rep × period rows containing the (rep, month) pairs in
 * kpi_dirty, the team rows of those reps' managers and the org rows of those periods. Months are
 * the unit of work: a dirty month is recomputed from the canonical tables, and quarters and years
 * are re-summed from their months (the stored ones plus the recomputed ones).
 *
 * A full run of a new as_of writes its rows straight into rep_period_kpis. Where the as_of has
 * rows already (every incremental run, and a full one on the same day — forced, or after a
 * settings or reporting-tree change), the new rows are staged and only those that differ from the
 * stored ones are swapped in: a same-day full run rewrites what changed, not 120,000 rows.
 */

/** Part of the settings fingerprint: a release that changes a KPI definition bumps it. */
export const KPI_ENGINE_VERSION = 2;

const CHANGE_REPORT_LIMIT = 200;
const NEGATIVE_CYCLE_REPORT_LIMIT = 100;

export type KpiMode = 'full' | 'incremental';

export interface KpiComputeRequest {
  connectionId: string;
  /** Org-local date 'YYYY-MM-DD'. */
  asOf: string;
  settings: KpiSettings;
  /** Force a full recompute. */
  full: boolean;
  runId: number | null;
  /** Stamped on the rows and kpi_state as computed_at (never read from the database clock). */
  now: Date;
}

export interface KpiComputeOutcome {
  mode: KpiMode;
  /** Why the run was full or incremental. */
  reason: string;
  asOf: string;
  /** The as_of the closed-period changes compare against (null: nothing to compare with). */
  previousAsOf: string | null;
  dirtyConsumed: number;
  rowsDeleted: number;
  rowsWritten: { rep: number; team: number; org: number; total: number };
  /** Rows recomputed with exactly their stored values, which stay as they are (staged runs). */
  rowsUnchanged: number;
  /** Rows whose median cycle days were computed from the won deals (the others kept theirs). */
  mediansRecomputed: number;
  rowsPruned: number;
  /** Won deals closed before they were created: their cycle counts as 0. */
  negativeCycles: { count: number; opportunityIds: string[] };
  closedPeriodChanges: ClosedPeriodChanges;
}

/** What the rows depend on besides the data; a different fingerprint forces a full recompute. */
export function settingsHash(settings: KpiSettings): string {
  const relevant = {
    engine: KPI_ENGINE_VERSION,
    timezone: settings.timezone,
    fiscalYearStartMonth: settings.fiscalYearStartMonth,
    fiscalYearNaming: settings.fiscalYearNaming,
    quotaSource: settings.quotaSource,
    referralSources: settings.referralSources ?? null,
    paceThresholds: settings.paceThresholds,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex');
}

function chooseMode(
  request: KpiComputeRequest,
  state: Selectable<KpiStateTable> | undefined,
  hash: string,
): { mode: KpiMode; reason: string } {
  if (request.full) return { mode: 'full', reason: 'full recompute requested' };
  if (!state) return { mode: 'full', reason: 'no previous computation' };
  if (state.as_of !== request.asOf) return { mode: 'full', reason: `as_of changed from ${state.as_of}` };
  if (state.settings_hash !== hash) return { mode: 'full', reason: 'settings changed' };
  if (state.full_required) return { mode: 'full', reason: 'reporting tree or rep set changed' };
  return { mode: 'incremental', reason: 'same as_of and settings; recomputing what changed' };
}

export async function computeKpiRows(db: Kysely<DB>, request: KpiComputeRequest): Promise<KpiComputeOutcome> {
  return db.transaction().execute((trx) => computeInTransaction(trx, request));
}

async function computeInTransaction(
  trx: Transaction<DB>,
  request: KpiComputeRequest,
): Promise<KpiComputeOutcome> {
  const { connectionId, asOf, settings } = request;
  await tunePlanner(trx);
  // One KPI run per connection at a time; normalize's requireFullKpiRecompute waits on the row lock.
  await sql`SELECT pg_advisory_xact_lock(hashtext('attain.kpis'), hashtext(${connectionId}))`.execute(trx);
  const state = await trx
    .selectFrom('kpi_state')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .forUpdate()
    .executeTakeFirst();
  const hash = settingsHash(settings);
  const { mode, reason } = chooseMode(request, state, hash);
  const params: InsertRowsParams = {
    connectionId,
    asOf,
    settings,
    runId: request.runId,
    computedAt: request.now,
  };
  const previousAsOf = await latestAsOf(trx, connectionId, asOf);

  await createRunTables(trx);
  const incremental = mode === 'incremental';
  const dirtyConsumed = incremental
    ? await consumeDirtyMonths(trx, params)
    : await consumeAllDirty(trx, connectionId);
  const storedAt = (date: string) =>
    sql`SELECT * FROM rep_period_kpis WHERE connection_id = ${connectionId} AND as_of = ${date}::date`;
  // Where this as_of already has rows (an incremental run, or a full one on the same day), the new
  // rows are staged in run_rows and only those that differ from the stored ones are swapped in.
  const staged = incremental || previousAsOf === asOf;
  const computed = await computeRows(trx, params, mode, staged ? 'run_rows' : 'rep_period_kpis');
  if (staged && !incremental) await captureStored(trx, params);
  const rowsUnchanged = staged ? await dropUnchanged(trx) : 0;
  const rowsWritten = staged ? await countRunRows(trx) : computed.rowsWritten;
  const closedChanges =
    previousAsOf === null
      ? { count: 0, changes: [] }
      : await withPlanner(trx, { sorts: true }, () =>
          closedPeriodChanges(trx, {
            current: staged ? sql`SELECT * FROM run_rows` : storedAt(asOf),
            previous: staged ? sql`SELECT * FROM run_replaced` : storedAt(previousAsOf),
            closedBefore: previousAsOf,
            limit: CHANGE_REPORT_LIMIT,
          }),
        );
  let rowsDeleted = 0;
  if (staged) {
    rowsDeleted = await deleteReplaced(trx);
    await sql`INSERT INTO rep_period_kpis SELECT * FROM run_rows`.execute(trx);
  }
  const negative = await withPlanner(trx, { sorts: true }, () =>
    negativeCycleSql(mode === 'incremental' ? 'target-months' : 'all', params).execute(trx),
  );
  const rowsPruned = await prune(trx, connectionId, asOf, settings.retainDays);
  await saveState(trx, {
    connection_id: connectionId,
    as_of: asOf,
    settings_hash: hash,
    computed_at: request.now,
  });
  return {
    mode,
    reason,
    asOf,
    previousAsOf,
    dirtyConsumed,
    rowsDeleted,
    rowsWritten,
    rowsUnchanged,
    rowsPruned,
    mediansRecomputed: computed.mediansRecomputed,
    negativeCycles: {
      count: negative.rows.length,
      opportunityIds: negative.rows.slice(0, NEGATIVE_CYCLE_REPORT_LIMIT).map((row) => row.opportunity_id),
    },
    closedPeriodChanges: closedChanges,
  };
}

/**
 * Computes the new rows into `target`: rep rows from the month sums (and, incrementally, the stored
 * rows they replace), then team and org rows from the rep rows' change (run_delta).
 */
async function computeRows(
  trx: Transaction<DB>,
  params: InsertRowsParams,
  mode: KpiMode,
  target: RowsTarget,
): Promise<Pick<KpiComputeOutcome, 'rowsWritten' | 'mediansRecomputed'>> {
  const incremental = mode === 'incremental';
  await withPlanner(trx, { sorts: true }, () =>
    sql`INSERT INTO run_months ${monthSumsSql(incremental ? 'target-months' : 'all', params)}`.execute(trx),
  );
  await insertRepKeys(trx, params, incremental ? 'run_target_months' : 'run_months');
  await insertTreeAndRollupKeys(trx, params);
  await sql`ANALYZE run_months (rep_id, month_start), run_keys (scope, rep_id, period_type, period_start),
    run_edges, run_tree`.execute(trx);
  if (incremental) {
    await captureReplaced(trx, params);
    await sql`INSERT INTO run_month_change ${monthChangeSql}`.execute(trx);
  }
  const mediansRecomputed = await computeMedians(trx, params, mode);
  // a full run replaces nothing: its rep rows are the change, captured as they are written
  const rep = await withPlanner(trx, { nestedLoops: false }, () =>
    insertRows(
      trx,
      repSumsSql(params, incremental ? 'run_month_change' : 'run_months'),
      params,
      target,
      !incremental,
    ),
  );
  if (incremental) await sql`INSERT INTO run_delta ${repDeltaSql}`.execute(trx);
  await sql`ANALYZE run_delta (rep_id, period_type, period_start)`.execute(trx);
  const team = await withPlanner(trx, { nestedLoops: false }, () =>
    insertRows(trx, teamSumsSql(), params, target),
  );
  const org = await withPlanner(trx, { nestedLoops: false }, () =>
    insertRows(trx, orgSumsSql(), params, target),
  );
  return { rowsWritten: { rep, team, org, total: rep + team + org }, mediansRecomputed };
}

/**
 * run_medians: the median cycle days of every key that has one. A full run takes each from the won
 * deals; an incremental run only those of the keys whose cycle-days fingerprint moved, and keeps
 * the stored median of every other key (its won deals are the ones that median came from).
 */
async function computeMedians(
  trx: Transaction<DB>,
  params: InsertRowsParams,
  mode: KpiMode,
): Promise<number> {
  const keys: MedianKeys = mode === 'incremental' ? 'run_median_keys' : 'run_keys';
  let moved = 0;
  if (mode === 'incremental') {
    const result = await sql`INSERT INTO run_median_keys ${movedFingerprintKeysSql(params)}`.execute(trx);
    moved = Number(result.numAffectedRows ?? 0);
    await sql`ANALYZE run_median_keys (scope, rep_id, period_type, period_start)`.execute(trx);
  }
  // the span filter leaves the planner guessing how many deals qualify; a nested loop over the
  // keys' periods per deal is never the plan to have
  await withPlanner(trx, { nestedLoops: false }, () =>
    sql`INSERT INTO run_won ${wonDealsSql(params, keys)}`.execute(trx),
  );
  await sql`ANALYZE run_won (rep_id, period_type, period_start)`.execute(trx);
  const computed = await withPlanner(trx, { sorts: true }, () =>
    sql`INSERT INTO run_medians ${mediansSql(keys)}`.execute(trx),
  );
  if (mode === 'incremental') {
    await sql`INSERT INTO run_medians ${storedMediansSql}`.execute(trx);
    return moved;
  }
  return Number(computed.numAffectedRows ?? 0);
}

/**
 * Planner settings for this transaction. The statements join and group temp tables whose row
 * counts the planner can only guess (keys derived from keys), and every such guess that went
 * wrong went towards sorting hundreds of thousands of wide rows: hash joins and hash aggregates
 * (with memory for them) are the right strategy throughout, so merge joins are off and sorts are
 * off too, except around the statements that need one (see withPlanner). JIT compilation costs
 * more than it saves here; Memoize never hits (keys are unique). The run's temp tables are
 * ANALYZEd for row counts and key spreads, which a small sample gives as well as the default
 * 30,000 rows, in a fraction of the time.
 */
async function tunePlanner(trx: Transaction<DB>): Promise<void> {
  await setLocal(trx, {
    jit: 'off',
    work_mem: '256MB',
    enable_mergejoin: 'off',
    enable_sort: 'off',
    enable_memoize: 'off',
    default_statistics_target: '10',
  });
}

/** SET LOCAL of several settings in one round trip. */
async function setLocal(trx: Transaction<DB>, settings: Record<string, string>): Promise<void> {
  const calls = Object.entries(settings).map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
  await sql`SELECT ${sql.join(calls)}`.execute(trx);
}

/** Planner switches a single statement needs differently from tunePlanner's. */
interface PlannerOverrides {
  /** A statement that cannot do without a sort (DISTINCT ON, ORDER BY, an ordered-set aggregate)
   * needs sorts allowed: a disabled node's penalty cost dwarfs the real differences between the
   * plans around it, which the planner then compares as equal. */
  sorts?: boolean;
  /** A statement over rows just written to rep_period_kpis (whose statistics still say "one
   * row"), or over CTEs the planner can only guess the size of, must not rescan them once per
   * row in a nested loop. Such a statement has no join that needs one (fan-outs are unnest). */
  nestedLoops?: boolean;
}

async function withPlanner<T>(
  trx: Transaction<DB>,
  overrides: PlannerOverrides,
  statement: () => Promise<T>,
): Promise<T> {
  const set = (sorts: boolean, nestedLoops: boolean) =>
    setLocal(trx, { enable_sort: sorts ? 'on' : 'off', enable_nestloop: nestedLoops ? 'on' : 'off' });
  await set(overrides.sorts ?? false, overrides.nestedLoops ?? true);
  const result = await statement();
  await set(false, true);
  return result;
}

async function latestAsOf(trx: Transaction<DB>, connectionId: string, asOf: string): Promise<string | null> {
  const row = await trx
    .selectFrom('rep_period_kpis')
    .select((eb) => eb.fn.max('as_of').as('as_of'))
    .where('connection_id', '=', connectionId)
    .where('as_of', '<=', asOf)
    .executeTakeFirst();
  return row?.as_of ?? null;
}

async function consumeAllDirty(trx: Transaction<DB>, connectionId: string): Promise<number> {
  const result = await trx
    .deleteFrom('kpi_dirty')
    .where('connection_id', '=', connectionId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Drains kpi_dirty into run_target_months: the dirty (rep, month) pairs with their spans. */
async function consumeDirtyMonths(trx: Transaction<DB>, params: FactParams): Promise<number> {
  const { timezone } = params.settings;
  const { rows } = await sql<{ consumed: number }>`
    WITH consumed AS (
      DELETE FROM kpi_dirty WHERE connection_id = ${params.connectionId} RETURNING rep_id, month_start
    ), months AS (
      INSERT INTO run_target_months
      SELECT m.rep_id, m.month_start, (m.month_start + interval '1 month')::date - 1,
             ${localMidnightSql(sql`m.month_start`, timezone)},
             ${localMidnightSql(sql`(m.month_start + interval '1 month')::date`, timezone)}
      FROM consumed AS m
    )
    SELECT count(*) AS consumed FROM consumed`.execute(trx);
  await sql`ANALYZE run_target_months (rep_id)`.execute(trx);
  return rows[0]?.consumed ?? 0;
}

async function createRunTables(trx: Transaction<DB>): Promise<void> {
  const additive = sql.join(ADDITIVE_COLUMNS.map((c) => sql.id(c)));
  await sql`
    CREATE TEMP TABLE run_target_months (
      rep_id text NOT NULL, month_start date NOT NULL, month_end date NOT NULL,
      from_instant timestamptz NOT NULL, to_instant timestamptz NOT NULL,
      PRIMARY KEY (rep_id, month_start)
    ) ON COMMIT DROP`.execute(trx);
  // Column types come from rep_period_kpis itself, so the two cannot drift apart.
  await sql`CREATE TEMP TABLE run_months ON COMMIT DROP AS
    SELECT rep_id, period_start AS month_start, ${additive} FROM rep_period_kpis WITH NO DATA`.execute(trx);
  await sql`CREATE TEMP TABLE run_month_change ON COMMIT DROP AS
    SELECT rep_id, period_start AS month_start, ${additive} FROM rep_period_kpis WITH NO DATA`.execute(trx);
  await sql`CREATE TEMP TABLE run_keys (
      key_no integer GENERATED ALWAYS AS IDENTITY, scope text NOT NULL, rep_id text NOT NULL,
      period_type text NOT NULL, period_start date NOT NULL, period_end date NOT NULL
    ) ON COMMIT DROP`.execute(trx);
  await sql`CREATE TEMP TABLE run_edges (manager_id text NOT NULL, rep_id text NOT NULL) ON COMMIT DROP`.execute(
    trx,
  );
  await sql`CREATE TEMP TABLE run_tree (ancestor text NOT NULL, descendant text NOT NULL) ON COMMIT DROP`.execute(
    trx,
  );
  await sql`CREATE TEMP TABLE run_median_keys ON COMMIT DROP AS SELECT * FROM run_keys WITH NO DATA`.execute(
    trx,
  );
  await sql`CREATE TEMP TABLE run_won (
      rep_id text NOT NULL, period_type text NOT NULL, period_start date NOT NULL, cycle_days integer NOT NULL
    ) ON COMMIT DROP`.execute(trx);
  await sql`CREATE TEMP TABLE run_medians (key_no integer NOT NULL, median_cycle_days numeric NOT NULL)
    ON COMMIT DROP`.execute(trx);
  await sql`CREATE TEMP TABLE run_rows (LIKE rep_period_kpis INCLUDING DEFAULTS) ON COMMIT DROP`.execute(trx);
  await sql`CREATE TEMP TABLE run_replaced ON COMMIT DROP AS
    SELECT ctid AS row_ctid, * FROM rep_period_kpis WITH NO DATA`.execute(trx);
  await sql`CREATE TEMP TABLE run_delta ON COMMIT DROP AS
    SELECT rep_id, period_type, period_start, ${additive}, rep_rows, rep_rows_with_quota, quota
    FROM rep_period_kpis WITH NO DATA`.execute(trx);
}

/**
 * The rep rows to (re)write: every period (of each type) containing a month of `months`, plus —
 * for reps with such a month in the current fiscal year — the current month and quarter (which
 * exist even when empty for an active rep; repSumsSql decides).
 */
async function insertRepKeys(
  trx: Transaction<DB>,
  params: FactParams,
  months: 'run_months' | 'run_target_months',
): Promise<void> {
  const { settings, asOf } = params;
  const start = periodStartSql(sql`m.month_start`, sql`pt.period_type`, settings);
  const currentStart = periodStartSql(sql`${asOf}::date`, sql`pt.period_type`, settings);
  const yearStart = periodStartSql(sql`${asOf}::date`, 'year', settings);
  await sql`
    INSERT INTO run_keys (scope, rep_id, period_type, period_start, period_end)
    SELECT 'rep', k.rep_id, k.period_type, k.period_start, ${periodEndSql(sql`k.period_start`, sql`k.period_type`)}
    FROM (
      SELECT m.rep_id, pt.period_type, ${start} AS period_start
      FROM ${sql.table(months)} m CROSS JOIN ${periodTypesSql}
      UNION
      SELECT m.rep_id, pt.period_type, ${currentStart}
      FROM ${sql.table(months)} m CROSS JOIN ${periodTypesSql}
      WHERE pt.period_type <> 'year'
        AND m.month_start BETWEEN ${yearStart} AND ${periodEndSql(yearStart, 'year')}
    ) AS k`.execute(trx);
}

/** The reporting tree's closure, and the team and org rows above the rep rows being rewritten. */
async function insertTreeAndRollupKeys(trx: Transaction<DB>, params: FactParams): Promise<void> {
  // A rep whose chain of managers leads back to itself (bad CRM data) is treated as having no
  // manager, so the tree is a forest and every way of summing it agrees.
  await sql`
    INSERT INTO run_edges (manager_id, rep_id)
    WITH RECURSIVE edges AS (
      SELECT manager_id, rep_id
      FROM reps
      WHERE connection_id = ${params.connectionId} AND NOT is_deleted
        AND manager_id IS NOT NULL AND manager_id <> rep_id
    ), chain AS (
      SELECT rep_id, manager_id AS above, ARRAY[rep_id] AS path FROM edges
      UNION ALL
      SELECT c.rep_id, e.manager_id, c.path || c.above
      FROM chain c JOIN edges e ON e.rep_id = c.above
      WHERE c.above <> ALL (c.path)
    )
    SELECT manager_id, rep_id FROM edges
    WHERE rep_id NOT IN (SELECT rep_id FROM chain WHERE above = rep_id)`.execute(trx);
  await sql`
    INSERT INTO run_tree (ancestor, descendant)
    WITH RECURSIVE tree AS (
      SELECT manager_id AS ancestor, rep_id AS descendant FROM run_edges
      UNION ALL
      SELECT e.manager_id, t.descendant FROM run_edges e JOIN tree t ON t.ancestor = e.rep_id
    )
    SELECT ancestor, descendant FROM tree`.execute(trx);
  await sql`
    INSERT INTO run_keys (scope, rep_id, period_type, period_start, period_end)
    SELECT DISTINCT 'team', c.ancestor, k.period_type, k.period_start, k.period_end
    FROM run_keys k JOIN run_tree c ON c.descendant = k.rep_id
    WHERE k.scope = 'rep'`.execute(trx);
  await sql`
    INSERT INTO run_keys (scope, rep_id, period_type, period_start, period_end)
    SELECT DISTINCT 'org', '*', period_type, period_start, period_end FROM run_keys WHERE scope = 'rep'`.execute(
    trx,
  );
}

/**
 * Incremental: the stored rows of every key the run rewrites, looked up by their full key from the
 * small, analyzed key table outward (OFFSET 0 keeps the subquery a per-key lookup). The primary
 * key serves it (see migrations 0004 and 0008), so the plan does not depend on rep_period_kpis
 * statistics, which lag behind the large write of a full run.
 */
async function captureReplaced(trx: Transaction<DB>, params: FactParams): Promise<void> {
  await sql`
    INSERT INTO run_replaced
    SELECT r.* FROM run_keys k
    CROSS JOIN LATERAL (
      SELECT r.ctid AS row_ctid, r.* FROM rep_period_kpis r
      WHERE r.connection_id = ${params.connectionId} AND r.scope = k.scope AND r.rep_id = k.rep_id
        AND r.period_type = k.period_type AND r.period_start = k.period_start AND r.as_of = ${params.asOf}::date
      OFFSET 0
    ) AS r`.execute(trx);
  await sql`ANALYZE run_replaced (scope, rep_id, period_type, period_start)`.execute(trx);
}

/**
 * Staged runs: a recomputed row equal to the stored one in every column (but the run stamp) is left
 * as it is — dropped from the rows to write and from the rows to replace — so the run writes only
 * what changed and stamps only changed rows with its run_id.
 */
async function dropUnchanged(trx: Transaction<DB>): Promise<number> {
  const compared = ROW_COLUMNS.filter((column) => column !== 'run_id' && column !== 'computed_at');
  const row = (alias: string) => sql.join(compared.map((column) => sql.ref(`${alias}.${column}`)));
  const result = await sql`
    WITH unchanged AS (
      DELETE FROM run_rows n USING run_replaced o
      WHERE o.scope = n.scope AND o.rep_id = n.rep_id AND o.period_type = n.period_type
        AND o.period_start = n.period_start AND (${row('n')}) IS NOT DISTINCT FROM (${row('o')})
      RETURNING o.row_ctid
    )
    DELETE FROM run_replaced WHERE row_ctid IN (SELECT row_ctid FROM unchanged)`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

async function countRunRows(trx: Transaction<DB>): Promise<KpiComputeOutcome['rowsWritten']> {
  const { rows } = await sql<{ scope: KpiScope; rows: number }>`
    SELECT scope, count(*)::int AS rows FROM run_rows GROUP BY scope`.execute(trx);
  const of = (scope: KpiScope) => rows.find((row) => row.scope === scope)?.rows ?? 0;
  const written = { rep: of('rep'), team: of('team'), org: of('org') };
  return { ...written, total: written.rep + written.team + written.org };
}

/** A full run over an as_of that has rows: all of them, to swap in only what changed. */
async function captureStored(trx: Transaction<DB>, params: FactParams): Promise<void> {
  await sql`
    INSERT INTO run_replaced
    SELECT r.ctid, r.* FROM rep_period_kpis r
    WHERE r.connection_id = ${params.connectionId} AND r.as_of = ${params.asOf}::date`.execute(trx);
  await sql`ANALYZE run_replaced (scope, rep_id, period_type, period_start)`.execute(trx);
}

async function deleteReplaced(trx: Transaction<DB>): Promise<number> {
  const result =
    await sql`DELETE FROM rep_period_kpis WHERE ctid = ANY (ARRAY(SELECT row_ctid FROM run_replaced))`.execute(
      trx,
    );
  return Number(result.numAffectedRows ?? 0);
}

async function insertRows(
  trx: Transaction<DB>,
  sums: RawBuilder<unknown>,
  params: InsertRowsParams,
  target: RowsTarget,
  deltas = false,
): Promise<number> {
  const result = await insertRowsSql(sums, params, target, deltas).execute(trx);
  return Number(result.numAffectedRows ?? 0);
}

async function saveState(
  trx: Transaction<DB>,
  state: { connection_id: string; as_of: string; settings_hash: string; computed_at: Date },
): Promise<void> {
  await trx
    .insertInto('kpi_state')
    .values({ ...state, full_required: false })
    .onConflict((conflict) =>
      conflict.column('connection_id').doUpdateSet({ ...state, full_required: false }),
    )
    .execute();
}

async function prune(
  trx: Transaction<DB>,
  connectionId: string,
  asOf: string,
  retainDays: number,
): Promise<number> {
  const result = await sql`
    DELETE FROM rep_period_kpis
    WHERE connection_id = ${connectionId} AND as_of < ${asOf}::date - ${retainDays}::int`.execute(trx);
  return Number(result.numAffectedRows ?? 0);
}
