import { sql, type RawBuilder } from 'kysely';
import { periodContaining } from './fiscal-calendar.ts';
import { ADDITIVE_COLUMNS, DERIVED_COLUMNS, type DerivedColumn } from './kpi-columns.ts';
import {
  localDateSql,
  periodLabelSql,
  periodStartSql,
  periodTypeColumnSql,
  periodTypesSql,
} from './period-sql.ts';
import type { KpiSettings } from './settings.ts';

/**
 * From month sums to rep_period_kpis rows. These statements read the run's temp tables
 * (created and filled by compute-kpi-rows.ts):
 *   run_months (rep_id, month_start, <additive>)     month sums recomputed from the canonical tables
 *   run_month_change (rep_id, month_start, <additive>)   incremental: those minus the stored month rows
 *   run_keys (key_no, scope, rep_id, period_type, period_start, period_end)   rows to (re)write
 *   run_edges (manager_id, rep_id)                   the reporting tree (a forest)
 *   run_tree (ancestor, descendant)                  its transitive closure
 *   run_median_keys (<run_keys columns>)             incremental: keys whose median is recomputed
 *   run_won (rep_id, period_type, period_start, cycle_days)   won deals of the median keys' periods
 *   run_medians (key_no, median_cycle_days)          per key: recomputed, or (incremental) stored
 *   run_replaced (row_ctid, <rep_period_kpis>)       incremental: the stored rows being replaced
 *   run_delta (rep_id, period_type, period_start, <summed>)   new minus replaced rep rows
 * Each *SumsSql yields (scope, rep_id, period_type, period_start, period_end, <summed>,
 * median_cycle_days), where <summed> is the additive columns, rep_rows, rep_rows_with_quota and
 * quota; insertRowsSql turns such sums into finished rows.
 *
 * Every row is its stored version plus the change below it: a rep row plus the change of its
 * months, a team or org row plus the change of the rep rows below it (in a full run nothing is
 * stored, so that is the plain sum). Sums of numerics are exact, so this is the same as summing
 * from scratch. A median is recomputed from the deals themselves whenever they changed.
 */

export interface RollupParams {
  connectionId: string;
  asOf: string;
  settings: KpiSettings;
}

/** What team and org rows sum from rep rows: the additive columns and the roll-up counters. */
const SUMMED_COLUMNS = [...ADDITIVE_COLUMNS, 'rep_rows', 'rep_rows_with_quota', 'quota'] as const;

const columnsOf = (
  names: readonly string[],
  wrap: (column: RawBuilder<unknown>, name: string) => RawBuilder<unknown>,
  alias: string,
) => sql.join(names.map((name) => sql`${wrap(sql.ref(`${alias}.${name}`), name)} AS ${sql.id(name)}`));

const sameKey = (alias: string) =>
  sql`${sql.ref(`${alias}.rep_id`)} = k.rep_id AND ${sql.ref(`${alias}.period_type`)} = k.period_type
      AND ${sql.ref(`${alias}.period_start`)} = k.period_start`;

/**
 * Which keys get their median computed from the won deals: every key (run_keys) in a full run,
 * the keys whose cycle-days fingerprint moved (run_median_keys, same columns) in an incremental one.
 */
export type MedianKeys = 'run_keys' | 'run_median_keys';

/**
 * run_median_keys' query: the keys whose fingerprint (see migration 0009) the month changes move —
 * a rep key by its own months' changes, a team key by those of everyone below the manager, an
 * org key by all of them. Every other key's won deals are the ones its stored median came from.
 */
export function movedFingerprintKeysSql(params: RollupParams): RawBuilder<unknown> {
  return sql`
    WITH moved AS (
      SELECT m.rep_id, m.period_type, ${periodStartSql(sql`m.month_start`, sql`m.period_type`, params.settings)} AS period_start,
             sum(m.cycle_days_fingerprint) AS moved
      FROM (
        SELECT m.rep_id, m.month_start, m.cycle_days_fingerprint, ${periodTypeColumnSql()}
        FROM run_month_change m WHERE m.cycle_days_fingerprint <> 0
      ) AS m
      GROUP BY 1, 2, 3
    ), changes AS (
      SELECT 'rep'::text AS scope, rep_id, period_type, period_start, moved FROM moved
      UNION ALL
      SELECT 'team', t.ancestor, m.period_type, m.period_start, sum(m.moved)
      FROM moved m JOIN run_tree t ON t.descendant = m.rep_id
      GROUP BY 2, 3, 4
      UNION ALL
      SELECT 'org', '*', period_type, period_start, sum(moved) FROM moved GROUP BY 3, 4
    )
    SELECT k.* FROM changes c
    JOIN run_keys k ON k.scope = c.scope AND k.rep_id = c.rep_id AND k.period_type = c.period_type
      AND k.period_start = c.period_start
    WHERE c.moved <> 0`;
}

/** run_won's query: won deals closing in the periods of the median keys, one row per period type. */
export function wonDealsSql(params: RollupParams, keys: MedianKeys): RawBuilder<unknown> {
  const { settings } = params;
  return sql`
    SELECT w.rep_id, w.period_type, w.period_start, w.cycle_days
    FROM (
      SELECT o.owner_rep_id AS rep_id, pt.period_type,
             ${periodStartSql(sql`o.close_date`, sql`pt.period_type`, settings)} AS period_start,
             greatest(o.close_date - ${localDateSql(sql`o.created_at`, settings.timezone)}, 0) AS cycle_days
      FROM opportunities o CROSS JOIN ${periodTypesSql}
      WHERE o.connection_id = ${params.connectionId} AND NOT o.is_deleted
        AND o.is_closed AND o.is_won AND o.created_at IS NOT NULL
        -- only deals within the keys' span are fanned out to their periods
        AND o.close_date BETWEEN (SELECT min(period_start) FROM ${sql.table(keys)})
                             AND (SELECT max(period_end) FROM ${sql.table(keys)})
    ) AS w
    JOIN (SELECT DISTINCT period_type, period_start FROM ${sql.table(keys)}) AS k
      ON k.period_type = w.period_type AND k.period_start = w.period_start`;
}

/**
 * run_medians' query: the median cycle days of the won deals (run_won) under each median key — the
 * rep's own, every deal of the people below a manager, every deal for the org. The grouping sort
 * runs on integer key numbers.
 */
export function mediansSql(keys: MedianKeys): RawBuilder<unknown> {
  const table = sql.table(keys);
  return sql`
  SELECT x.key_no, percentile_cont(0.5) WITHIN GROUP (ORDER BY x.cycle_days)::numeric
  FROM (
    SELECT k.key_no, w.cycle_days FROM run_won w
    JOIN ${table} k ON k.scope = 'rep' AND ${sameKey('w')}
    UNION ALL
    SELECT k.key_no, t.cycle_days
    FROM (
      SELECT c.ancestor AS rep_id, w.period_type, w.period_start, w.cycle_days
      FROM run_won w JOIN run_tree c ON c.descendant = w.rep_id
      OFFSET 0
    ) AS t
    JOIN ${table} k ON k.scope = 'team' AND ${sameKey('t')}
    UNION ALL
    SELECT k.key_no, w.cycle_days FROM run_won w
    JOIN ${table} k ON k.scope = 'org' AND k.period_type = w.period_type AND k.period_start = w.period_start
  ) AS x
  GROUP BY x.key_no`;
}

/** Incremental: the stored median of every key whose median is not recomputed. */
export const storedMediansSql = sql`
  SELECT k.key_no, b.median_cycle_days
  FROM run_keys k
  JOIN run_replaced b ON b.scope = k.scope AND ${sameKey('b')}
  WHERE b.median_cycle_days IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM run_median_keys m WHERE m.key_no = k.key_no)`;

/**
 * run_month_change: per (rep, month) recomputed, the new month sums minus the stored month row.
 * A full run replaces nothing, so its change is run_months itself.
 */
export const monthChangeSql = sql`
  SELECT t.rep_id, t.month_start,
         ${columnsOf(ADDITIVE_COLUMNS, (c, name) => sql`coalesce(${c}, 0) - coalesce(${sql.ref(`o.${name}`)}, 0)`, 'n')}
  FROM run_target_months t
  LEFT JOIN run_months n ON n.rep_id = t.rep_id AND n.month_start = t.month_start
  LEFT JOIN run_replaced o
    ON o.scope = 'rep' AND o.rep_id = t.rep_id AND o.period_type = 'month' AND o.period_start = t.month_start`;

/**
 * Per rep key, its quota: the quota rows lying entirely inside the period (starting in it, ending
 * by its end) from the winning source if it has any there, else the other source's. A full run
 * hash-joins every quota row, fanned out to the period of each type containing its start, to the
 * keys (a lookup per key costs more at full scale); an incremental run, whose keys are a few
 * thousand, looks each key's rows up in quotas_by_rep instead of fanning out every quota row.
 */
function quotaSumsSql(params: RollupParams, perKeyLookup: boolean): RawBuilder<unknown> {
  const { settings, connectionId } = params;
  const winner = sql`coalesce(sum(q.amount) FILTER (WHERE q.source = ${settings.quotaSource}),
                              sum(q.amount) FILTER (WHERE q.source <> ${settings.quotaSource})) AS quota`;
  if (perKeyLookup) {
    // OFFSET 0 keeps the subquery an index range scan per key whatever the estimates say.
    return sql`
      SELECT k.key_no, ${winner}
      FROM run_keys k
      CROSS JOIN LATERAL (
        SELECT q.source, q.amount FROM quotas q
        WHERE q.connection_id = ${connectionId} AND q.rep_id = k.rep_id AND NOT q.is_deleted
          AND q.period_start BETWEEN k.period_start AND k.period_end AND q.period_end <= k.period_end
        OFFSET 0
      ) AS q
      WHERE k.scope = 'rep'
      GROUP BY k.key_no`;
  }
  return sql`
      SELECT k.key_no, ${winner}
      FROM (
        SELECT q.rep_id, q.source, q.amount, q.period_end, q.period_type,
               ${periodStartSql(sql`q.quota_start`, sql`q.period_type`, settings)} AS period_start
        FROM (
          SELECT q.rep_id, q.source, q.amount, q.period_start AS quota_start, q.period_end, ${periodTypeColumnSql()}
          FROM quotas q
          WHERE q.connection_id = ${connectionId} AND NOT q.is_deleted
        ) AS q
        OFFSET 0
      ) AS q
      JOIN run_keys k ON k.scope = 'rep' AND ${sameKey('q')}
      WHERE q.period_end <= k.period_end
      GROUP BY k.key_no`;
}

/**
 * Rep rows: the stored row (if any) plus the changes of its months — a month row takes its own
 * month's, quarters and years sum theirs — and the quota (quotaSumsSql). A row exists when something falls in its period, or when it is
 * the current month or quarter of an active rep with a record or quota this fiscal year.
 *
 * Every join here has the rep keys on its probe side: the planner's guesses about the tables
 * joined to them (reps may never have been analyzed) can then never turn one into a rescan of
 * the keys per row, which a lookup of the active reps inside an IN (…) once did (33 s at
 * scale 2000).
 */
export function repSumsSql(
  params: RollupParams,
  monthChange: 'run_months' | 'run_month_change',
): RawBuilder<unknown> {
  const { settings, asOf, connectionId } = params;
  const month = periodContaining(asOf, 'month', settings);
  const quarter = periodContaining(asOf, 'quarter', settings);
  const year = periodContaining(asOf, 'year', settings);
  return sql`
    WITH change AS (
      SELECT k.key_no, ${columnsOf(ADDITIVE_COLUMNS, (c) => c, 'm')}
      FROM ${sql.table(monthChange)} m
      JOIN run_keys k
        ON k.scope = 'rep' AND k.rep_id = m.rep_id AND k.period_type = 'month' AND k.period_start = m.month_start
      UNION ALL
      SELECT k.key_no, ${columnsOf(ADDITIVE_COLUMNS, (c) => c, 'm')}
      FROM (
        -- summed per period before the join, which then hashes the narrow keys, not every month twice
        SELECT m.rep_id, m.period_type, m.period_start, ${columnsOf(ADDITIVE_COLUMNS, (c) => sql`sum(${c})`, 'm')}
        FROM (
          SELECT m.*, ${periodStartSql(sql`m.month_start`, sql`m.period_type`, settings)} AS period_start
          FROM (SELECT m.*, ${periodTypeColumnSql(['quarter', 'year'])} FROM ${sql.table(monthChange)} m) AS m
        ) AS m
        GROUP BY 1, 2, 3
      ) AS m
      JOIN run_keys k ON k.scope = 'rep' AND ${sameKey('m')}
    ), sums AS (
      SELECT k.key_no, k.rep_id, k.period_type, k.period_start, k.period_end,
             ${columnsOf(ADDITIVE_COLUMNS, (c, name) => sql`coalesce(${c}, 0) + coalesce(${sql.ref(`m.${name}`)}, 0)`, 'b')}
      FROM run_keys k
      LEFT JOIN change m ON m.key_no = k.key_no
      LEFT JOIN run_replaced b ON b.scope = 'rep' AND ${sameKey('b')}
      WHERE k.scope = 'rep'
    ), quota AS (${quotaSumsSql(params, monthChange === 'run_month_change')}
    ), this_year AS (
      SELECT y.rep_id FROM sums y
      WHERE y.input_count > 0 AND y.period_type = 'year' AND y.period_start = ${year.start}::date
    )
    SELECT 'rep'::text AS scope, s.rep_id, s.period_type, s.period_start, s.period_end,
           ${columnsOf(ADDITIVE_COLUMNS, (c) => c, 's')},
           1 AS rep_rows, CASE WHEN q.quota IS NULL THEN 0 ELSE 1 END AS rep_rows_with_quota, q.quota,
           md.median_cycle_days
    FROM sums s
    LEFT JOIN quota q ON q.key_no = s.key_no
    LEFT JOIN this_year y ON y.rep_id = s.rep_id
    LEFT JOIN reps r ON r.connection_id = ${connectionId} AND r.rep_id = s.rep_id
    LEFT JOIN run_medians md ON md.key_no = s.key_no
    WHERE s.input_count > 0
       OR ((s.period_type, s.period_start) IN (('month', ${month.start}::date), ('quarter', ${quarter.start}::date))
           AND y.rep_id IS NOT NULL AND r.is_active AND NOT r.is_deleted)`;
}

const keyAndSummed = (alias: string) =>
  sql.join(['rep_id', 'period_type', 'period_start', ...SUMMED_COLUMNS].map((c) => sql.ref(`${alias}.${c}`)));

/**
 * run_delta's query: per rep key, the new rep row minus the one it replaces (sign +1 / −1), with
 * quota counted as 0 where NULL (rep_rows_with_quota says whether any quota is behind the sum).
 */
export const repDeltaSql = sql`
  SELECT d.rep_id, d.period_type, d.period_start,
         ${columnsOf(SUMMED_COLUMNS, (c) => sql`sum(d.sign * coalesce(${c}, 0))`, 'd')}
  FROM (
    SELECT 1 AS sign, ${keyAndSummed('n')} FROM run_rows n WHERE n.scope = 'rep'
    UNION ALL
    SELECT -1 AS sign, ${keyAndSummed('o')} FROM run_replaced o WHERE o.scope = 'rep'
  ) AS d
  GROUP BY 1, 2, 3`;

/** Stored row plus change, for the keys of a roll-up scope; rows without any rep row below drop out. */
function rolledUpSql(scope: 'team' | 'org', change: RawBuilder<unknown>): RawBuilder<unknown> {
  const total = (name: string) =>
    sql`coalesce(${sql.ref(`b.${name}`)}, 0) + coalesce(${sql.ref(`t.${name}`)}, 0)`;
  return sql`
    SELECT * FROM (
      SELECT k.scope, k.rep_id, k.period_type, k.period_start, k.period_end,
             ${sql.join(
               SUMMED_COLUMNS.filter((c) => c !== 'quota').map(
                 (name) => sql`${total(name)} AS ${sql.id(name)}`,
               ),
             )},
             CASE WHEN ${total('rep_rows_with_quota')} > 0 THEN ${total('quota')} END AS quota,
             md.median_cycle_days
      FROM run_keys k
      LEFT JOIN (${change}) AS t ON ${sameKey('t')}
      LEFT JOIN run_replaced b ON b.scope = k.scope AND ${sameKey('b')}
      LEFT JOIN run_medians md ON md.key_no = k.key_no
      WHERE k.scope = ${scope}
    ) AS s
    WHERE s.rep_rows > 0`;
}

/**
 * Team rows: everyone below the manager (not the manager's own row). The change of the rep rows
 * (run_delta) is first summed per direct manager, then each team adds up its own and its
 * sub-managers' direct sums — far fewer rows than every rep row times every manager above it.
 */
export function teamSumsSql(): RawBuilder<unknown> {
  return rolledUpSql(
    'team',
    sql`WITH direct AS (
          SELECT e.manager_id, d.period_type, d.period_start,
                 ${columnsOf(SUMMED_COLUMNS, (c) => sql`sum(${c})`, 'd')}
          FROM run_delta d JOIN run_edges e ON e.rep_id = d.rep_id
          GROUP BY 1, 2, 3
        )
        SELECT m.team AS rep_id, d.period_type, d.period_start,
               ${columnsOf(SUMMED_COLUMNS, (c) => sql`sum(${c})`, 'd')}
        FROM direct d
        JOIN (SELECT ancestor AS team, descendant AS manager FROM run_tree
              UNION ALL
              SELECT DISTINCT manager_id, manager_id FROM run_edges) AS m ON m.manager = d.manager_id
        GROUP BY 1, 2, 3`,
  );
}

/** Org rows ('*'): every rep row, unassigned included. */
export function orgSumsSql(): RawBuilder<unknown> {
  return rolledUpSql(
    'org',
    sql`SELECT '*'::text AS rep_id, d.period_type, d.period_start,
               ${columnsOf(SUMMED_COLUMNS, (c) => sql`sum(${c})`, 'd')}
        FROM run_delta d
        GROUP BY 2, 3`,
  );
}

/** The columns of rep_period_kpis, in the order insertRowsSql fills them. */
export const ROW_COLUMNS = [
  'connection_id',
  'scope',
  'rep_id',
  'period_type',
  'period_start',
  'period_end',
  'as_of',
  'period_label',
  ...ADDITIVE_COLUMNS,
  'rep_rows',
  'rep_rows_with_quota',
  ...DERIVED_COLUMNS,
  'run_id',
  'computed_at',
] as const;

export interface InsertRowsParams extends RollupParams {
  runId: number | null;
  computedAt: Date;
}

/**
 * Where finished rows go: rep_period_kpis itself (a full run of an as_of without rows yet) or
 * run_rows (staged, then swapped in for the stored rows that changed).
 */
export type RowsTarget = 'rep_period_kpis' | 'run_rows';

/**
 * Inserts finished rows computed from `sums`: every ratio from its summed numerator and denominator.
 * With `deltas`, the inserted rows' summed columns also go to run_delta — in a full run, where
 * nothing is replaced, the rep rows are the change the team and org rows sum.
 */
export function insertRowsSql(
  sums: RawBuilder<unknown>,
  params: InsertRowsParams,
  target: RowsTarget,
  deltas = false,
): RawBuilder<unknown> {
  const { ahead, onTrack, behind } = params.settings.paceThresholds;
  const ratio = (numerator: string, denominator: RawBuilder<unknown>) =>
    sql`${sql.ref(`s.${numerator}`)}::numeric / nullif(${denominator}, 0)`;
  const derived: Record<DerivedColumn, RawBuilder<unknown>> = {
    lead_conversion_rate: ratio('leads_created_converted', sql`s.leads_created`),
    proposal_acceptance_rate: ratio('proposals_accepted', sql`s.proposals_submitted`),
    win_rate: ratio('opps_won', sql`s.opps_won + s.opps_lost`),
    win_rate_amount: ratio('won_amount', sql`s.won_amount + s.lost_amount`),
    avg_deal_size: ratio('bookings', sql`s.won_with_amount`),
    avg_cycle_days: ratio('cycle_days_sum', sql`s.cycle_count`),
    median_cycle_days: sql`s.median_cycle_days`,
    avg_discount: ratio('discount_amount', sql`s.discount_gross`),
    avg_discount_lost: ratio('discount_amount_lost', sql`s.discount_gross_lost`),
    quota: sql`s.quota`,
    attainment: sql`a.attainment`,
    expected_to_date: sql`a.expected_to_date`,
    pace: sql`p.pace`,
    pace_status: sql`CASE WHEN p.pace IS NULL THEN NULL
                          WHEN p.pace >= ${ahead}::numeric THEN 'ahead'
                          WHEN p.pace >= ${onTrack}::numeric THEN 'on_track'
                          WHEN p.pace >= ${behind}::numeric THEN 'behind'
                          ELSE 'at_risk' END`,
    pipeline_coverage: sql`CASE WHEN s.quota - s.bookings > 0 THEN s.pipeline / (s.quota - s.bookings) END`,
  };
  const insert = sql`
    INSERT INTO ${sql.table(target)} (${sql.join(ROW_COLUMNS.map((c) => sql.id(c)))})
    SELECT ${params.connectionId}, s.scope, s.rep_id, s.period_type, s.period_start, s.period_end,
           ${params.asOf}::date, ${periodLabelSql(sql`s.period_start`, sql`s.period_type`, params.settings)},
           ${columnsOf(ADDITIVE_COLUMNS, (c) => c, 's')}, s.rep_rows, s.rep_rows_with_quota,
           ${sql.join(DERIVED_COLUMNS.map((column) => derived[column]))},
           ${params.runId}::bigint, ${params.computedAt}::timestamptz
    FROM (${sums}) AS s
    CROSS JOIN LATERAL (
      SELECT s.bookings / nullif(s.quota, 0) AS attainment,
             least(greatest((${params.asOf}::date - s.period_start + 1)::numeric
                            / (s.period_end - s.period_start + 1), 0), 1) AS expected_to_date
    ) AS a
    CROSS JOIN LATERAL (SELECT a.attainment / nullif(a.expected_to_date, 0) AS pace) AS p`;
  if (!deltas) return insert;
  return sql`
    WITH written AS (${insert} RETURNING ${keyAndSummed(target)})
    INSERT INTO run_delta
    SELECT w.rep_id, w.period_type, w.period_start, ${columnsOf(SUMMED_COLUMNS, (c) => sql`coalesce(${c}, 0)`, 'w')}
    FROM written w`;
}
