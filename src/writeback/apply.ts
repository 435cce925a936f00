import { setTimeout as sleep } from 'node:timers/promises';
import type {
  Connector,
  ConnectorSession,
  WritebackRecord,
  WritebackRowResult,
} from '../../connectors/types.ts';
import type { StageContext } from '../stage.ts';
import type { PlannedWrite, WritebackPlan } from './plan.ts';

/** Per-record error codes worth retrying within the same run (the record was busy, not wrong). */
const RETRYABLE_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'REQUEST_RUNNING_TOO_LONG', 'SERVER_UNAVAILABLE']);

export interface WritebackFailure {
  recordKey: string;
  repId: string;
  fields: string[];
  code: string;
  message: string;
  attempts: number;
}

export interface ApplyOutcome {
  /** Write calls made (each carries up to maxWriteBatch records). */
  calls: number;
  recordsSent: number;
  recordsSucceeded: number;
  recordsFailed: number;
  failures: WritebackFailure[];
}

/**
 * Sends the plan in batches of the connector's maximum, one record per rep with all its changed
 * fields. After every call, successes move writeback_state forward and every attempted field gets
 * a writeback_results row, in one transaction; records rejected with a retryable code are retried
 * in the same run with backoff, the rest are left for the next run (the diff still shows them).
 */
export async function applyWriteback(
  ctx: StageContext,
  connector: Connector,
  session: ConnectorSession,
  plan: WritebackPlan,
  runId: number,
): Promise<ApplyOutcome> {
  const byRecord = new Map<string, PlannedWrite[]>();
  for (const write of plan.writes)
    byRecord.set(write.recordKey, [...(byRecord.get(write.recordKey) ?? []), write]);
  const records: WritebackRecord[] = [...byRecord.entries()].map(([recordKey, writes]) => ({
    recordKey,
    values: Object.fromEntries(writes.map((write) => [write.field, write.next])),
  }));
  const outcome: ApplyOutcome = {
    calls: 0,
    recordsSent: records.length,
    recordsSucceeded: 0,
    recordsFailed: 0,
    failures: [],
  };
  const { retries, retryDelayMs } = ctx.connection.writeback;

  for (let offset = 0; offset < records.length; offset += connector.maxWriteBatch) {
    let pending = records.slice(offset, offset + connector.maxWriteBatch);
    for (let attempt = 1; pending.length > 0; attempt++) {
      ctx.signal.throwIfAborted();
      const results = await session.writeRecords(plan.target, pending);
      outcome.calls += 1;
      const retryNow =
        attempt <= retries ? results.filter((result) => !result.ok && isRetryable(result)) : [];
      const settled = results.filter((result) => !retryNow.includes(result));
      await recordResults(ctx, plan, byRecord, settled, runId, attempt);
      for (const result of settled) {
        if (result.ok) outcome.recordsSucceeded += 1;
        else {
          outcome.recordsFailed += 1;
          const first = result.errors[0];
          outcome.failures.push({
            recordKey: result.recordKey,
            repId: byRecord.get(result.recordKey)![0]!.repId,
            fields: byRecord.get(result.recordKey)!.map((write) => write.field),
            code: first?.code ?? 'UNKNOWN',
            message: first?.message ?? 'rejected without a message',
            attempts: attempt,
          });
        }
      }
      const retryKeys = new Set(retryNow.map((result) => result.recordKey));
      pending = pending.filter((record) => retryKeys.has(record.recordKey));
      if (pending.length > 0) {
        ctx.logger.warn({ records: pending.length, attempt }, 'retrying records the CRM could not lock');
        await sleep(retryDelayMs * 2 ** (attempt - 1), undefined, { signal: ctx.signal });
      }
    }
  }
  return outcome;
}

function isRetryable(result: WritebackRowResult): boolean {
  return result.errors.length > 0 && result.errors.every((error) => RETRYABLE_CODES.has(error.code));
}

async function recordResults(
  ctx: StageContext,
  plan: WritebackPlan,
  byRecord: Map<string, PlannedWrite[]>,
  results: WritebackRowResult[],
  runId: number,
  attempt: number,
): Promise<void> {
  if (results.length === 0) return;
  const connectionId = ctx.connection.id;
  await ctx.db.transaction().execute(async (trx) => {
    const rows = results.flatMap((result) =>
      byRecord.get(result.recordKey)!.map((write) => {
        // Salesforce rejects a record as a whole; `fields` names the culprit when it knows.
        const error = result.errors.find((e) => e.fields.includes(write.field)) ?? result.errors[0];
        return {
          connection_id: connectionId,
          run_id: runId,
          target_object: plan.target.object,
          record_id: result.recordKey,
          field: write.field,
          value: JSON.stringify(write.next),
          status: result.ok ? ('succeeded' as const) : ('failed' as const),
          error_code: result.ok ? null : (error?.code ?? 'UNKNOWN'),
          message: result.ok ? null : (error?.message ?? null),
          attempt,
        };
      }),
    );
    await trx.insertInto('writeback_results').values(rows).execute();
    const succeeded = rows.filter((row) => row.status === 'succeeded');
    if (succeeded.length > 0) {
      await trx
        .insertInto('writeback_state')
        .values(
          succeeded.map((row) => ({
            connection_id: connectionId,
            target_object: row.target_object,
            record_id: row.record_id,
            field: row.field,
            value: row.value,
            run_id: runId,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['connection_id', 'target_object', 'record_id', 'field']).doUpdateSet((eb) => ({
            value: eb.ref('excluded.value'),
            run_id: eb.ref('excluded.run_id'),
            written_at: new Date(),
          })),
        )
        .execute();
    }
  });
}
