import { sql } from 'kysely';
import type { StageContext } from '../src/stage.ts';
import type { RunKind } from './catalog.ts';
import type { StageJobResult } from './job-result.ts';

export interface FlowRunSummary {
  /** The flow root's job id; a retried root finds its row and records nothing twice. */
  jobId: string;
  slot: string;
  kind: RunKind;
  asOf: string | null;
  childRunIds: number[];
  status: StageJobResult['status'];
  writebackSkipped: string | null;
}

/**
 * The audit row of a whole scheduled run, shaped like the one `attain run` writes: a 'run' row
 * spanning its stage runs (which become its children), with the same counts. Stage runs of
 * attempts that failed are not linked: only the runs whose results the flow carried.
 */
export async function recordFlowRun(ctx: StageContext, summary: FlowRunSummary): Promise<number> {
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom('runs')
      .select('id')
      .where('connection_id', '=', ctx.connection.id)
      .where('stage', '=', 'run')
      .where(sql<string>`report->>'jobId'`, '=', summary.jobId)
      .executeTakeFirst();
    if (existing) return existing.id;
    const children =
      summary.childRunIds.length === 0
        ? []
        : await trx
            .selectFrom('runs')
            .select(['id', 'stage', 'started_at', 'api_calls', 'counts'])
            .where('id', 'in', summary.childRunIds)
            .execute();
    const count = (stage: string, key: string) =>
      children
        .filter((child) => child.stage === stage)
        .reduce((total, child) => total + (child.counts[key] ?? 0), 0);
    const startedAt = children.reduce<Date>(
      (earliest, child) => (child.started_at < earliest ? child.started_at : earliest),
      ctx.now(),
    );
    const { id } = await trx
      .insertInto('runs')
      .values({
        connection_id: ctx.connection.id,
        stage: 'run',
        status: summary.status,
        trigger: ctx.trigger,
        as_of: summary.asOf,
        started_at: startedAt,
        finished_at: ctx.now(),
        api_calls: children.reduce((total, child) => total + child.api_calls, 0),
        counts: JSON.stringify({
          recordsExtracted: count('sync', 'records'),
          kpiRowsWritten: count('kpis', 'rowsWritten'),
          writebackRecords: count('writeback', 'recordsSucceeded'),
        }),
        report: JSON.stringify({
          jobId: summary.jobId,
          slot: summary.slot,
          kind: summary.kind,
          childRuns: children.map((child) => child.id).sort((a, b) => a - b),
          writebackSkipped: summary.writebackSkipped,
        }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (children.length > 0)
      await trx
        .updateTable('runs')
        .set({ parent_run_id: id })
        .where(
          'id',
          'in',
          children.map((child) => child.id),
        )
        .execute();
    return id;
  });
}
