import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { FiscalCalendar } from './fiscal-calendar.ts';
import { markKpiDirtyFrom } from './kpi-dirty.ts';
import { QuotaFileError } from './quota-file-error.ts';
import { parseQuotaFile, type QuotaFileRow, type RepDirectory } from './quota-file.ts';

export interface QuotaImportRequest {
  connectionId: string;
  /** Shown in error messages. */
  file: string;
  text: string;
  calendar: FiscalCalendar;
  /** The home currency the amounts are in (org.currency). */
  currency: string;
}

export interface QuotaImportOutcome {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

/**
 * Makes the file the full truth for the connection's file quotas (source 'file'): new and changed
 * rows are written, rows no longer in the file are marked deleted, unchanged rows are left alone,
 * and every rep × period_start that changed is marked dirty so the next KPI run picks it up. With
 * any bad line nothing is written (QuotaFileError).
 */
export async function importQuotaFile(
  db: Kysely<DB>,
  request: QuotaImportRequest,
): Promise<QuotaImportOutcome> {
  const { connectionId } = request;
  const { rows, problems } = parseQuotaFile(
    request.text,
    await repDirectory(db, connectionId),
    request.calendar,
  );
  if (problems.length > 0) throw new QuotaFileError(request.file, problems);
  const file = rows.map(fileRow);
  return db.transaction().execute(async (trx) => {
    await sql`
      CREATE TEMP TABLE quota_file ON COMMIT DROP AS
      SELECT * FROM unnest(
        ${file.map((row) => row.quotaId)}::text[], ${file.map((row) => row.repId)}::text[],
        ${file.map((row) => row.periodStart)}::date[], ${file.map((row) => row.periodEnd)}::date[],
        ${file.map((row) => String(row.amount))}::numeric[]
      ) AS f (quota_id, rep_id, period_start, period_end, amount)`.execute(trx);
    // What the file changes: new rows, rows that differ from (or were deleted in) the stored ones,
    // and stored rows the file no longer has.
    await sql`
      CREATE TEMP TABLE quota_changes ON COMMIT DROP AS
      SELECT CASE WHEN s.quota_id IS NULL THEN 'inserted' ELSE 'updated' END AS change,
             f.quota_id, f.rep_id, f.period_start
      FROM quota_file f
      LEFT JOIN quotas s ON s.connection_id = ${connectionId} AND s.source = 'file' AND s.quota_id = f.quota_id
      WHERE s.quota_id IS NULL OR s.is_deleted OR s.amount <> f.amount OR s.period_end <> f.period_end
         OR s.currency IS DISTINCT FROM ${request.currency}
      UNION ALL
      SELECT 'deleted', s.quota_id, s.rep_id, s.period_start
      FROM quotas s
      WHERE s.connection_id = ${connectionId} AND s.source = 'file' AND NOT s.is_deleted
        AND NOT EXISTS (SELECT 1 FROM quota_file f WHERE f.quota_id = s.quota_id)`.execute(trx);
    await sql`
      INSERT INTO quotas (connection_id, source, quota_id, rep_id, period_start, period_end, amount, currency,
                          is_deleted, updated_at)
      SELECT ${connectionId}, 'file', f.quota_id, f.rep_id, f.period_start, f.period_end, f.amount,
             ${request.currency}, false, now()
      FROM quota_file f JOIN quota_changes c ON c.quota_id = f.quota_id
      ON CONFLICT (connection_id, source, quota_id) DO UPDATE
        SET amount = excluded.amount, period_end = excluded.period_end, currency = excluded.currency,
            is_deleted = false, updated_at = excluded.updated_at`.execute(trx);
    await sql`
      UPDATE quotas q SET is_deleted = true, updated_at = now()
      FROM quota_changes c
      WHERE c.change = 'deleted' AND q.connection_id = ${connectionId} AND q.source = 'file'
        AND q.quota_id = c.quota_id`.execute(trx);
    await markKpiDirtyFrom(trx, connectionId, sql`SELECT rep_id, period_start FROM quota_changes`);
    const { rows: counts } = await sql<{ change: string; n: number }>`
      SELECT change, count(*) AS n FROM quota_changes GROUP BY change`.execute(trx);
    const count = (change: string) => Number(counts.find((row) => row.change === change)?.n ?? 0);
    const inserted = count('inserted');
    const updated = count('updated');
    return {
      rows: rows.length,
      inserted,
      updated,
      unchanged: rows.length - inserted - updated,
      deleted: count('deleted'),
    };
  });
}

/** A file row's stable identity: one quota per rep, period type and start. */
function fileRow(row: QuotaFileRow) {
  return { ...row, quotaId: `${row.repId}|${row.periodType}|${row.periodStart}` };
}

async function repDirectory(db: Kysely<DB>, connectionId: string): Promise<RepDirectory> {
  const reps = await db
    .selectFrom('reps')
    .select(['rep_id', 'email'])
    .where('connection_id', '=', connectionId)
    .where('is_deleted', '=', false)
    .execute();
  const byEmail = new Map<string, string[]>();
  for (const rep of reps) {
    if (!rep.email) continue;
    const key = rep.email.toLowerCase();
    byEmail.set(key, [...(byEmail.get(key) ?? []), rep.rep_id]);
  }
  return { ids: new Set(reps.map((rep) => rep.rep_id)), byEmail };
}
