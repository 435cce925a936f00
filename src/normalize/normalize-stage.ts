import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { connectorFor } from '../../connectors/registry.ts';
import type { NormalizeReport } from '../../connectors/types.ts';
import { landingLockKey } from '../extract/landing.ts';
import { runStage, type StageContext, type StageRun } from '../stage.ts';

/** Landed changes per normalize transaction: bounds memory and lock time on a first backfill. */
export const NORMALIZE_CHUNK = 1_000_000;
/**
 * A batch this large changes the tables' shape: statistics are refreshed around it. Freshly
 * landed rows have none, and the planner, guessing one row, picks nested loops that turn a
 * backfill's normalize (and the KPI run after it) quadratic. Autovacuum gets there, too late.
 */
const ANALYZE_THRESHOLD = 5_000;

export interface NormalizeResult extends NormalizeReport {
  fromSeq: number;
  toSeq: number;
}

/**
 * The normalize stage: turns every landed record changed since the last run into canonical rows
 * (the connector's SQL), in chunks of change_seq, each committed together with the checkpoint.
 * Concurrent runs for one connection serialize on the normalize_state row.
 */
export function normalizeConnection(ctx: StageContext): Promise<StageRun<NormalizeResult>> {
  return runStage(ctx, 'normalize', {}, async () => {
    const connector = connectorFor(ctx.connection.provider);
    const connectionId = ctx.connection.id;
    // Hold the landing lock exclusively for an instant: once we have it, no extract transaction
    // is in flight, so every change_seq up to the maximum we read is committed and visible.
    const toSeq = await ctx.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext(${landingLockKey(connectionId)}))`.execute(trx);
      const row = await trx
        .selectFrom('crm_records')
        .select((eb) => eb.fn.max('change_seq').as('max'))
        .where('connection_id', '=', connectionId)
        .executeTakeFirst();
      return Number(row?.max ?? 0);
    });
    await ctx.db
      .insertInto('normalize_state')
      .values({ connection_id: connectionId })
      .onConflict((oc) => oc.doNothing())
      .execute();

    const total: NormalizeResult = { fromSeq: 0, toSeq, changed: {}, issues: {} };
    let first = true;
    for (;;) {
      const done = await ctx.db.transaction().execute(async (trx) => {
        const state = await trx
          .selectFrom('normalize_state')
          .select('last_change_seq')
          .where('connection_id', '=', connectionId)
          .forUpdate()
          .executeTakeFirstOrThrow();
        const fromSeq = state.last_change_seq;
        if (first) total.fromSeq = fromSeq;
        first = false;
        if (fromSeq >= toSeq) return true;
        const chunkEnd = await chunkEndAfter(trx, connectionId, fromSeq, toSeq);
        if (await atLeast(trx, connectionId, fromSeq, chunkEnd, ANALYZE_THRESHOLD)) {
          await sql`ANALYZE crm_records`.execute(trx);
        }
        const report = await connector.normalize(ctx, trx, { fromSeq, toSeq: chunkEnd });
        for (const [table, changed] of Object.entries(report.changed)) {
          if (changed >= ANALYZE_THRESHOLD) await sql`ANALYZE ${sql.table(table)}`.execute(trx);
        }
        merge(total.changed, report.changed);
        merge(total.issues, report.issues);
        await trx
          .updateTable('normalize_state')
          .set({ last_change_seq: chunkEnd, updated_at: new Date() })
          .where('connection_id', '=', connectionId)
          .execute();
        return chunkEnd >= toSeq;
      });
      if (done) break;
      ctx.signal.throwIfAborted();
    }
    return {
      result: total,
      counts: { ...total.changed, issues: Object.values(total.issues).reduce((a, b) => a + b, 0) },
      report: { fromSeq: total.fromSeq, toSeq, changed: total.changed, issues: total.issues },
    };
  });
}

/** The change_seq that ends a chunk of at most NORMALIZE_CHUNK landed changes after `fromSeq`. */
async function chunkEndAfter(
  trx: Transaction<DB>,
  connectionId: string,
  fromSeq: number,
  toSeq: number,
): Promise<number> {
  const { rows } = await sql<{ seq: number | null }>`
    SELECT change_seq AS seq FROM crm_records
    WHERE connection_id = ${connectionId} AND change_seq > ${fromSeq} AND change_seq <= ${toSeq}
    ORDER BY change_seq OFFSET ${NORMALIZE_CHUNK - 1} LIMIT 1`.execute(trx);
  return rows[0]?.seq ?? toSeq;
}

/** Whether at least `count` landed changes fall in (fromSeq, toSeq]. */
async function atLeast(
  trx: Transaction<DB>,
  connectionId: string,
  fromSeq: number,
  toSeq: number,
  count: number,
): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM (
      SELECT 1 FROM crm_records
      WHERE connection_id = ${connectionId} AND change_seq > ${fromSeq} AND change_seq <= ${toSeq}
      LIMIT ${count}) enough`.execute(trx);
  return (rows[0]?.n ?? 0) >= count;
}

function merge(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
}
