import { computeKpis } from '../../src/kpi/compute-kpis.ts';
import type { KpisPayload } from '../catalog.ts';
import { upstreamOf, type StageJobInput, type StageJobResult } from '../job-result.ts';

/** KPIs as of the date fixed when the run was scheduled, so a retry computes the same rows. */
export async function processKpis({
  payload,
  ctx,
  job,
}: StageJobInput<KpisPayload>): Promise<StageJobResult> {
  const upstream = await upstreamOf(job);
  const run = await computeKpis(ctx, { asOf: payload.asOf, full: payload.kind === 'full' });
  return {
    runIds: [...upstream.runIds, run.runId],
    status: upstream.budgetStopped ? 'budget_stopped' : 'succeeded',
    budgetStopped: upstream.budgetStopped,
    asOf: run.result.asOf,
  };
}
