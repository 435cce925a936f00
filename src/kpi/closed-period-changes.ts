import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB, KpiScope, PeriodType } from '../../db/schema.ts';
import { isZeroWhenAbsent, KPI_VALUE_COLUMNS } from './kpi-columns.ts';

/**
 * What changed in closed periods between the previous computation and this one — a pushed close
 * date or a reopened deal moves bookings out of a quarter that is already over, and the run report
 * says so. A period counts as closed when it had ended before both computations' as_of. A row that
 * is missing on one side compares as zeros (and NULL ratios).
 */

export interface ClosedPeriodChange {
  scope: KpiScope;
  repId: string;
  periodType: PeriodType;
  periodStart: string;
  periodLabel: string;
  column: string;
  old: unknown;
  new: unknown;
}

export interface ClosedPeriodChanges {
  /** How many (row, column) values changed. */
  count: number;
  /** The first `limit` of them, ordered by scope, rep, period and column. */
  changes: ClosedPeriodChange[];
}

export interface ClosedPeriodComparison {
  /** SELECT of this computation's rows (rep_period_kpis columns). */
  current: RawBuilder<unknown>;
  /** SELECT of the previous computation's rows for the same keys. */
  previous: RawBuilder<unknown>;
  /** Periods that ended before this date are compared: closed for both computations. */
  closedBefore: string;
  limit: number;
}

export async function closedPeriodChanges(
  db: Kysely<DB>,
  comparison: ClosedPeriodComparison,
): Promise<ClosedPeriodChanges> {
  const closed = sql`r.period_end < ${comparison.closedBefore}::date`;
  const join = sql`p.scope = n.scope AND p.rep_id = n.rep_id AND p.period_type = n.period_type
    AND p.period_start = n.period_start`;
  const key = (column: string) => sql`coalesce(${sql.ref(`n.${column}`)}, ${sql.ref(`p.${column}`)})`;
  // A row missing on one side compares as zeros and NULL ratios.
  const side = (alias: 'n' | 'p', column: string) =>
    isZeroWhenAbsent(column)
      ? sql`CASE WHEN ${sql.ref(`${alias}.rep_id`)} IS NULL THEN 0 ELSE ${sql.ref(`${alias}.${column}`)} END`
      : sql.ref(`${alias}.${column}`);
  const changedCount = sql.join(
    KPI_VALUE_COLUMNS.map((c) => sql`(${side('p', c)} IS DISTINCT FROM ${side('n', c)})::int`),
    sql` + `,
  );
  // The changed values of a row as a JSON array of [column, old, new], in column order; built
  // only for rows with a change (the CASE keeps unchanged rows, nearly all of them, cheap).
  const diff = sql`to_jsonb(array_remove(ARRAY[${sql.join(
    KPI_VALUE_COLUMNS.map(
      (c) =>
        sql`CASE WHEN ${side('p', c)} IS DISTINCT FROM ${side('n', c)}
          THEN jsonb_build_array(${sql.lit(c)}, to_jsonb(${side('p', c)}), to_jsonb(${side('n', c)})) END`,
    ),
  )}]::jsonb[], NULL))`;
  // One pass over both sides, keeping only changed rows, each with its values: the report never
  // looks rows up again (a lookup by key would scan both sides a second time).
  const { rows } = await sql<{
    scope: KpiScope;
    rep_id: string;
    period_type: PeriodType;
    period_start: string;
    period_label: string;
    values: Array<[string, unknown, unknown]>;
    total: number;
  }>`
    WITH changed AS MATERIALIZED (
      SELECT ${key('scope')} AS scope, ${key('rep_id')} AS rep_id, ${key('period_type')} AS period_type,
             ${key('period_start')} AS period_start, ${key('period_label')} AS period_label, c.columns,
             CASE WHEN c.columns > 0 THEN ${diff} END AS values
      FROM (SELECT * FROM (${comparison.current}) AS r WHERE ${closed}) AS n
      FULL JOIN (SELECT * FROM (${comparison.previous}) AS r WHERE ${closed}) AS p ON ${join}
      CROSS JOIN LATERAL (SELECT ${changedCount} AS columns) AS c
      WHERE c.columns > 0
    )
    SELECT scope, rep_id, period_type, period_start, period_label, values,
           (SELECT sum(columns) FROM changed) AS total
    FROM changed
    ORDER BY scope, rep_id, period_type, period_start
    LIMIT ${comparison.limit}`.execute(db);
  if (rows.length === 0) return { count: 0, changes: [] };
  const changes = rows.flatMap((row) =>
    row.values.map(([column, old, value]) => ({
      scope: row.scope,
      repId: row.rep_id,
      periodType: row.period_type,
      periodStart: row.period_start,
      periodLabel: row.period_label,
      column,
      old,
      new: value,
    })),
  );
  return { count: Number(rows[0]!.total), changes: changes.slice(0, comparison.limit) };
}
