import { ApiBudgetExhaustedError } from '../../src/errors/api-budget-exhausted-error.ts';
import { writeback } from '../../src/writeback/writeback-stage.ts';
import type { WritebackPayload } from '../catalog.ts';
import { recordFlowRun } from '../flow-run.ts';
import { upstreamOf, type StageJobInput, type StageJobResult } from '../job-result.ts';

/**
 * The root of a run: writes the KPIs back, then records the run as a whole (a 'run' row that
 * parents every stage run of the flow, as `attain run` does). Writeback diffs against what was last
 * written successfully, so a retry of this job sends only what is still pending — never a second
 * write of a row the CRM already accepted.
 */
export async function processWriteback({
  payload,
  ctx,
  job,
  metrics,
}: StageJobInput<WritebackPayload>): Promise<StageJobResult> {
  const upstream = await upstreamOf(job);
  const runIds = [...upstream.runIds];
  let skipped: string | null = null;
  let status: StageJobResult['status'] = upstream.budgetStopped ? 'budget_stopped' : 'succeeded';
  if (!ctx.connection.writeback.enabled) skipped = 'writeback is disabled for this connection';
  else if (upstream.budgetStopped) skipped = 'the API budget is used up; the next run writes back';
  else {
    try {
      const run = await writeback(ctx, upstream.asOf ? { asOf: upstream.asOf } : {});
      runIds.push(run.runId);
      if (run.status === 'partial') status = 'partial';
      const labels = { connection: payload.connectionId };
      metrics.apiCalls.inc({ ...labels, stage: 'writeback' }, run.apiCalls);
      metrics.writebackRows.inc({ ...labels, result: 'sent' }, run.counts.recordsSent ?? 0);
      metrics.writebackRows.inc({ ...labels, result: 'failed' }, run.counts.recordsFailed ?? 0);
    } catch (error) {
      if (!(error instanceof ApiBudgetExhaustedError)) throw error;
      skipped = `the API budget ran out during writeback; the next run continues: ${error.message}`;
      status = 'budget_stopped';
    }
  }
  await recordFlowRun(ctx, {
    jobId: job.id!,
    slot: payload.slot,
    kind: payload.kind,
    asOf: upstream.asOf ?? null,
    childRunIds: runIds,
    status,
    writebackSkipped: skipped,
  });
  return {
    runIds,
    status,
    budgetStopped: status === 'budget_stopped',
    ...(upstream.asOf ? { asOf: upstream.asOf } : {}),
  };
}
