import { UnrecoverableError } from 'bullmq';
import { syncConnection } from '../../src/extract/sync-stage.ts';
import type { ExtractPayload } from '../catalog.ts';
import type { StageJobInput, StageJobResult } from '../job-result.ts';

/**
 * One CRM object of one run: the same extract stage `attain sync` runs, limited to this object.
 * Each page is stored with its checkpoint, so a retry, a stalled-job recovery after a crash or a
 * job handed back at shutdown resumes after the last stored page. A full run restarts the object
 * from scratch each time it starts, which is what a full refresh means.
 */
export async function processExtract({
  payload,
  ctx,
  metrics,
}: StageJobInput<ExtractPayload>): Promise<StageJobResult> {
  const run = await syncConnection(ctx, { objects: [payload.object], full: payload.kind === 'full' });
  const labels = { connection: payload.connectionId };
  metrics.recordsExtracted.inc({ ...labels, object: payload.object }, run.counts.records ?? 0);
  metrics.apiCalls.inc({ ...labels, stage: 'sync' }, run.apiCalls);
  // Stopped at a safe point because the worker is shutting down: the job runner hands it back.
  if (run.result.stoppedBy === 'interrupted') ctx.signal.throwIfAborted();
  const failed = run.result.objects.find((outcome) => outcome.error);
  // The CRM refuses this object's query (a missing field, a permission): asking again gives the
  // same answer, and KPIs must not be computed from an object that was not extracted.
  if (failed) throw new UnrecoverableError(`extract of ${payload.object} failed: ${failed.error}`);
  return {
    runIds: [run.runId],
    status: run.status === 'budget_stopped' ? 'budget_stopped' : 'succeeded',
    budgetStopped: run.status === 'budget_stopped',
  };
}
