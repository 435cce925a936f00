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
  const values = sql.join(
    KPI_VALUE_COLUMNS.map(
      (c, position) =>
        sql`(${sql.lit(c)}, to_jsonb(${side('p', c)}), to_jsonb(${side('n', c)}), ${sql.lit(position)})`,
    ),
  );
  // 1. Which rows changed, and how many values: one pass over both sides, keeping only keys.
  const { rows: first } = await sql<{
    scope: KpiScope;
    rep_id: string;
    period_type: PeriodType;
    period_start: string;
    total: number;
  }>`
    WITH changed AS MATERIALIZED (
      SELECT ${key('scope')} AS scope, ${key('rep_id')} AS rep_id, ${key('period_type')} AS period_type,
             ${key('period_start')} AS period_start, ${changedCount} AS columns
      FROM (SELECT * FROM (${comparison.current}) AS r WHERE ${closed}) AS n
      FULL JOIN (SELECT * FROM (${comparison.previous}) AS r WHERE ${closed}) AS p ON ${join}
    )
    SELECT scope, rep_id, period_type, period_start, (SELECT sum(columns) FROM changed) AS total
    FROM changed
    WHERE columns > 0
    ORDER BY scope, rep_id, period_type, period_start
    LIMIT ${comparison.limit}`.execute(db);
  if (first.length === 0) return { count: 0, changes: [] };
  // 2. The values of the first of them, column by column.
  const keys = (column: 'scope' | 'rep_id' | 'period_type' | 'period_start') =>
    first.map((row) => row[column]);
  const sameKey = (alias: 'n' | 'p') =>
    sql`${sql.ref(`${alias}.scope`)} = f.scope AND ${sql.ref(`${alias}.rep_id`)} = f.rep_id
      AND ${sql.ref(`${alias}.period_type`)} = f.period_type AND ${sql.ref(`${alias}.period_start`)} = f.period_start`;
  const { rows } = await sql<{
    scope: KpiScope;
    rep_id: string;
    period_type: PeriodType;
    period_start: string;
    period_label: string;
    name: string;
    old_value: unknown;
    new_value: unknown;
  }>`
    SELECT f.scope, f.rep_id, f.period_type, f.period_start, ${key('period_label')} AS period_label,
           v.name, v.old_value, v.new_value
    FROM unnest(${keys('scope')}::text[], ${keys('rep_id')}::text[], ${keys('period_type')}::text[],
                ${keys('period_start')}::date[]) AS f (scope, rep_id, period_type, period_start)
    LEFT JOIN (${comparison.current}) AS n ON ${sameKey('n')}
    LEFT JOIN (${comparison.previous}) AS p ON ${sameKey('p')}
    CROSS JOIN LATERAL (VALUES ${values}) AS v (name, old_value, new_value, position)
    WHERE v.old_value IS DISTINCT FROM v.new_value
    ORDER BY f.scope, f.rep_id, f.period_type, f.period_start, v.position
    LIMIT ${comparison.limit}`.execute(db);
  return {
    count: Number(first[0]!.total),
    changes: rows.map((row) => ({
      scope: row.scope,
      repId: row.rep_id,
      periodType: row.period_type,
      periodStart: row.period_start,
      periodLabel: row.period_label,
      column: row.name,
      old: row.old_value,
      new: row.new_value,
    })),
  };
}
