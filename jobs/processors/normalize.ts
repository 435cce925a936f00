import { normalizeConnection } from '../../src/normalize/normalize-stage.ts';
import type { NormalizePayload } from '../catalog.ts';
import { upstreamOf, type StageJobInput, type StageJobResult } from '../job-result.ts';

/**
 * Runs once every extract job of the run is done. A budget stop upstream is no reason to wait:
 * whatever was stored is consistent with its checkpoints and is normalized like any other data.
 */
export async function processNormalize({
  ctx,
  job,
}: StageJobInput<NormalizePayload>): Promise<StageJobResult> {
  const upstream = await upstreamOf(job);
  const run = await normalizeConnection(ctx);
  return {
    runIds: [...upstream.runIds, run.runId],
    status: upstream.budgetStopped ? 'budget_stopped' : 'succeeded',
    budgetStopped: upstream.budgetStopped,
  };
}
