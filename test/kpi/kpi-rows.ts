import { expect } from 'vitest';
import type { Kysely } from 'kysely';
import type { DB, RepPeriodKpi } from '../../db/schema.ts';
import { CHECKED_COLUMNS, type ExpectedRow, type ExpectedValues } from './fixtures/hand-computed.ts';

/** "scope rep_id period_type period_start" */
export function keyOf(row: Pick<RepPeriodKpi, 'scope' | 'rep_id' | 'period_type' | 'period_start'>): string {
  return `${row.scope} ${row.rep_id} ${row.period_type} ${row.period_start}`;
}

/** Every row of a connection and as_of, by key. */
export async function rowsByKey(
  db: Kysely<DB>,
  connectionId: string,
  asOf: string,
): Promise<Map<string, RepPeriodKpi>> {
  const rows = await db
    .selectFrom('rep_period_kpis')
    .selectAll()
    .where('connection_id', '=', connectionId)
    .where('as_of', '=', asOf)
    .execute();
  return new Map(rows.map((row) => [keyOf(row), row]));
}

/**
 * Numbers compare to 12 significant digits by default (numeric division in SQL vs the float of the
 * fraction); a CRM's rounded exchange rates need a looser `relativeTolerance`.
 */
export function sameValue(actual: unknown, expected: unknown, relativeTolerance = 1e-12): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') {
    return Math.abs(actual - expected) <= relativeTolerance * Math.max(1, Math.abs(expected));
  }
  return actual === expected;
}

/** Asserts every checked column of each expected row, listing all mismatches at once. */
export function expectRows(
  rows: Map<string, RepPeriodKpi>,
  expected: readonly ExpectedRow[],
  options: { relativeTolerance?: number; ignoreColumns?: readonly string[] } = {},
): void {
  const mismatches: string[] = [];
  for (const row of expected) {
    const key = `${row.scope} ${row.repId} ${row.periodType} ${row.periodStart}`;
    const actual = rows.get(key);
    if (!actual) {
      mismatches.push(`${key}: missing`);
      continue;
    }
    for (const column of CHECKED_COLUMNS) {
      if (options.ignoreColumns?.includes(column)) continue;
      const value = (actual as unknown as Record<string, unknown>)[column];
      if (!sameValue(value, row.values[column], options.relativeTolerance)) {
        mismatches.push(`${key} ${column}: expected ${String(row.values[column])}, got ${String(value)}`);
      }
    }
  }
  expect(mismatches).toEqual([]);
}

/** The partial expectation form (a few columns of one row). */
export function expectColumns(row: RepPeriodKpi | undefined, values: Partial<ExpectedValues>): void {
  expect(row).toBeDefined();
  const mismatches = Object.entries(values)
    .filter(([column, value]) => !sameValue((row as unknown as Record<string, unknown>)[column], value))
    .map(
      ([column, value]) =>
        `${column}: expected ${String(value)}, got ${String((row as unknown as Record<string, unknown>)[column])}`,
    );
  expect(mismatches).toEqual([]);
}

/** A row's values without the run bookkeeping, for comparing two computations. */
export function kpiValues(row: RepPeriodKpi): Record<string, unknown> {
  const { run_id: _runId, computed_at: _computedAt, ...values } = row;
  return values;
}
