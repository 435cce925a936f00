import { sql, type Kysely } from 'kysely';
import type { ExtractPage, LandingRecord, ObjectSyncState } from '../../connectors/types.ts';
import type { DB } from '../../db/schema.ts';
import { mayHoldUnstorableText, repairText, type TextRepair } from './storable-text.ts';

/**
 * Extraction and normalize coordinate through one advisory lock per connection: every landing
 * transaction holds it shared, and normalize takes it exclusively for the instant it reads the
 * highest change_seq. Sequence values are handed out before commit, so without this a slow page
 * could commit a change_seq below one normalize already passed — and be skipped forever.
 */
export function landingLockKey(connectionId: string): string {
  return `attain:landing:${connectionId}`;
}

export async function loadSyncState(
  db: Kysely<DB>,
  connectionId: string,
  object: string,
): Promise<ObjectSyncState> {
  const row = await db
    .selectFrom('sync_state')
    .select(['watermark', 'cursor', 'backfill_completed_at', 'last_reconciled_at'])
    .where('connection_id', '=', connectionId)
    .where('object', '=', object)
    .executeTakeFirst();
  return {
    watermark: row?.watermark ?? null,
    cursor: (row?.cursor as Record<string, unknown> | undefined) ?? {},
    backfillCompletedAt: row?.backfill_completed_at ?? null,
    lastReconciledAt: row?.last_reconciled_at ?? null,
  };
}

/**
 * Stores one extracted page and its checkpoint in a single transaction, so the saved state can
 * never run ahead of the stored data. The upsert is set-based (one statement per page) and only
 * touches rows whose content changed, never replacing a newer version with an older one.
 * Returns how many landed rows changed.
 */
export async function storePage(
  db: Kysely<DB>,
  connectionId: string,
  object: string,
  page: ExtractPage,
  runId: number,
): Promise<number> {
  let records = latestPerId(page.records);
  let rows = landingRows(records);
  let repairs: TextRepair[] = [];
  if (mayHoldUnstorableText(rows)) {
    ({ records, repairs } = repairText(records));
    rows = landingRows(records);
  }
  const issues = distinctIssues([
    ...page.rejected.map((rejected) => ({
      crm_id: rejected.crmId,
      field: '',
      code: 'REJECTED_RECORD',
      message: rejected.reason,
    })),
    ...repairs.map((repair) => ({
      crm_id: repair.crmId,
      field: repair.field,
      code: 'TEXT_REPLACED',
      message: `${object}.${repair.field} held a NUL or an unpaired surrogate, which PostgreSQL cannot store; replaced by U+FFFD`,
    })),
  ]);
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock_shared(hashtext(${landingLockKey(connectionId)}))`.execute(trx);
    let written = 0;
    if (records.length > 0) {
      const result = await sql`
        INSERT INTO crm_records (connection_id, object, crm_id, modstamp, is_deleted, data)
        SELECT ${connectionId}, ${object}, r->>'crm_id', (r->>'modstamp')::timestamptz, (r->>'is_deleted')::boolean, r->'data'
        FROM jsonb_array_elements(${rows}::jsonb) AS r
        ON CONFLICT (connection_id, object, crm_id) DO UPDATE SET
          modstamp = excluded.modstamp, is_deleted = excluded.is_deleted, data = excluded.data,
          synced_at = now(), change_seq = nextval('crm_records_change_seq')
        WHERE (crm_records.modstamp IS NULL OR excluded.modstamp IS NULL OR excluded.modstamp >= crm_records.modstamp)
          AND (crm_records.data IS DISTINCT FROM excluded.data OR crm_records.is_deleted IS DISTINCT FROM excluded.is_deleted)`.execute(
        trx,
      );
      written = Number(result.numAffectedRows ?? 0);
    }
    if (issues.length > 0) {
      await trx
        .insertInto('record_issues')
        .values(
          issues.map((issue) => ({
            ...issue,
            connection_id: connectionId,
            stage: 'sync',
            object,
            run_id: runId,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['connection_id', 'stage', 'object', 'crm_id', 'field', 'code']).doUpdateSet((eb) => ({
            message: eb.ref('excluded.message'),
            run_id: runId,
            last_seen_at: new Date(),
          })),
        )
        .execute();
    }
    const { watermark, cursor, backfillCompleted } = page.checkpoint;
    await sql`
      INSERT INTO sync_state (connection_id, object, watermark, cursor, backfill_completed_at, last_reconciled_at, last_run_id, records_synced)
      VALUES (${connectionId}, ${object}, ${watermark}, ${JSON.stringify(cursor)}::jsonb,
              ${backfillCompleted ? sql`now()` : null}, ${backfillCompleted ? watermark : null}, ${runId}, ${records.length})
      ON CONFLICT (connection_id, object) DO UPDATE SET
        watermark = coalesce(excluded.watermark, sync_state.watermark),
        cursor = excluded.cursor,
        backfill_completed_at = coalesce(sync_state.backfill_completed_at, excluded.backfill_completed_at),
        -- deletes before the first backfill are invisible anyway; reconciliation starts from it
        last_reconciled_at = coalesce(sync_state.last_reconciled_at, excluded.last_reconciled_at),
        last_run_id = excluded.last_run_id,
        records_synced = sync_state.records_synced + excluded.records_synced,
        updated_at = now()`.execute(trx);
    return written;
  });
}

/** Marks landed records deleted (they vanished from the CRM for good); returns how many changed. */
export async function markDeleted(
  db: Kysely<DB>,
  connectionId: string,
  object: string,
  ids: string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock_shared(hashtext(${landingLockKey(connectionId)}))`.execute(trx);
    const result = await sql`
      UPDATE crm_records SET is_deleted = true, synced_at = now(), change_seq = nextval('crm_records_change_seq'),
             data = jsonb_set(data, '{IsDeleted}', 'true')
      WHERE connection_id = ${connectionId} AND object = ${object} AND crm_id = ANY(${ids}::text[]) AND NOT is_deleted`.execute(
      trx,
    );
    return Number(result.numAffectedRows ?? 0);
  });
}

/**
 * One issue per key: an insert that meets its own key twice fails ("cannot affect row a second
 * time"), and several records without an id share the key '(missing Id)'. The last one is kept.
 */
function distinctIssues<T extends { crm_id: string; field: string; code: string }>(issues: T[]): T[] {
  return [
    ...new Map(
      issues.map((issue) => [JSON.stringify([issue.crm_id, issue.field, issue.code]), issue]),
    ).values(),
  ];
}

/** The page as the JSON array the upsert reads. */
function landingRows(records: readonly LandingRecord[]): string {
  return JSON.stringify(
    records.map((record) => ({
      crm_id: record.crmId,
      modstamp: record.modstamp?.toISOString() ?? null,
      is_deleted: record.isDeleted,
      data: record.data,
    })),
  );
}

/** Two versions of one record in a page (possible across window overlaps): keep the newest. */
function latestPerId(records: LandingRecord[]): LandingRecord[] {
  const byId = new Map<string, LandingRecord>();
  for (const record of records) {
    const seen = byId.get(record.crmId);
    if (!seen || (record.modstamp?.getTime() ?? 0) >= (seen.modstamp?.getTime() ?? 0))
      byId.set(record.crmId, record);
  }
  return byId.size === records.length ? records : [...byId.values()];
}
