import type { StageContext, StageRun } from '../stage.ts';
import { runStage } from '../stage.ts';
import { computeKpiRows, type KpiComputeOutcome } from './compute-kpi-rows.ts';
import { localDate } from './fiscal-calendar.ts';
import { kpiSettingsOf } from './settings.ts';

export interface ComputeKpisInput {
  /** Org-local 'YYYY-MM-DD'; default: today in the org time zone at ctx.now(). */
  asOf?: string;
  /** Recompute every row of the as_of even if an incremental run would do. */
  full?: boolean;
}

/**
 * The kpis stage: fills rep_period_kpis for the connection and as_of (see docs/KPIS.md) as one
 * audited run. The run's report says full or incremental and why, how many rows were written,
 * which won deals closed before they were created, and what changed in closed periods.
 */
export async function computeKpis(
  ctx: StageContext,
  input: ComputeKpisInput = {},
): Promise<StageRun<KpiComputeOutcome>> {
  const settings = kpiSettingsOf(ctx.config);
  const asOf = input.asOf ?? localDate(ctx.now(), settings.timezone);
  return runStage(ctx, 'kpis', { asOf }, async (runId) => {
    const outcome = await computeKpiRows(ctx.db, {
      connectionId: ctx.connection.id,
      asOf,
      settings,
      full: input.full === true,
      runId,
      now: ctx.now(),
    });
    return {
      result: outcome,
      counts: {
        rowsWritten: outcome.rowsWritten.total,
        repRows: outcome.rowsWritten.rep,
        teamRows: outcome.rowsWritten.team,
        orgRows: outcome.rowsWritten.org,
        rowsDeleted: outcome.rowsDeleted,
        rowsUnchanged: outcome.rowsUnchanged,
        mediansRecomputed: outcome.mediansRecomputed,
        rowsPruned: outcome.rowsPruned,
        dirtyConsumed: outcome.dirtyConsumed,
        negativeCycles: outcome.negativeCycles.count,
        closedPeriodChanges: outcome.closedPeriodChanges.count,
      },
      report: { ...outcome },
    };
  });
}
