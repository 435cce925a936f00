import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

/** What one normalize transaction works on: a connection's landed changes in (from, to]. */
export interface NormalizeScope {
  conn: string;
  from: number;
  to: number;
  /** Org time zone: instants count on their org-local day. */
  tz: string;
}

/** Landed records of `object` changed in the scope (all of them when `all`), as (crm_id, is_deleted, d). */
export function changedRecords(scope: NormalizeScope, object: string, all = false): RawBuilder<unknown> {
  return all
    ? sql`SELECT crm_id, is_deleted, data AS d FROM crm_records WHERE connection_id = ${scope.conn} AND object = ${object}`
    : sql`SELECT crm_id, is_deleted, data AS d FROM crm_records
          WHERE connection_id = ${scope.conn} AND object = ${object}
            AND change_seq > ${scope.from} AND change_seq <= ${scope.to}`;
}

/** The org-local day of an instant. */
export function localDay(
  scope: Pick<NormalizeScope, 'tz'>,
  instant: RawBuilder<unknown>,
): RawBuilder<unknown> {
  return sql`(${instant} AT TIME ZONE ${scope.tz})::date`;
}

/** The first column of the first row, as a number (0 when there is none). */
export async function firstNumber(query: RawBuilder<unknown>, trx: Transaction<DB>): Promise<number> {
  const { rows } = await query.execute(trx);
  return Number(Object.values((rows[0] ?? {}) as Record<string, unknown>)[0] ?? 0);
}

/** Whether any record of `objects` changed in the scope (and meets `condition`). */
export async function anyChanged(
  trx: Transaction<DB>,
  scope: NormalizeScope,
  objects: readonly string[],
  condition: RawBuilder<unknown> = sql`true`,
): Promise<boolean> {
  const found = await firstNumber(
    sql`SELECT count(*) FROM (SELECT 1 FROM crm_records WHERE connection_id = ${scope.conn}
          AND object = ANY(${objects}::text[]) AND change_seq > ${scope.from} AND change_seq <= ${scope.to}
          AND ${condition} LIMIT 1) any_change`,
    trx,
  );
  return found > 0;
}

/** Records queue-owned or unowned activity, leads and deals count for. */
export async function ensureUnassignedRep(trx: Transaction<DB>, scope: NormalizeScope): Promise<void> {
  await sql`
    INSERT INTO reps (connection_id, rep_id, name)
    SELECT ${scope.conn}, 'unassigned', 'Unassigned (queues and unknown owners)'
    WHERE EXISTS (SELECT 1 FROM leads WHERE connection_id = ${scope.conn} AND owner_rep_id = 'unassigned')
       OR EXISTS (SELECT 1 FROM opportunities WHERE connection_id = ${scope.conn} AND owner_rep_id = 'unassigned')
       OR EXISTS (SELECT 1 FROM activities WHERE connection_id = ${scope.conn} AND owner_rep_id = 'unassigned')
    ON CONFLICT DO NOTHING`.execute(trx);
}
