import { syncConnection, type SyncResult } from './extract/sync-stage.ts';
import { computeKpis } from './kpi/compute-kpis.ts';
import type { KpiComputeOutcome } from './kpi/compute-kpi-rows.ts';
import { normalizeConnection, type NormalizeResult } from './normalize/normalize-stage.ts';
import { runStage, type StageContext, type StageRun } from './stage.ts';
import { writeback, type WritebackResult } from './writeback/writeback-stage.ts';

export interface PipelineInput {
  /** Re-extract everything (and recompute every KPI row). */
  full?: boolean;
  /** KPI as_of (default: today in the org time zone). */
  asOf?: string;
  /** Called after each stored page of the extract stage (progress display). */
  onPage?: (object: string, totals: { pages: number; records: number }) => void;
  /** Called as each stage starts (progress display). */
  onStage?: (stage: 'sync' | 'normalize' | 'kpis' | 'writeback') => void;
}

export interface PipelineResult {
  sync: StageRun<SyncResult>;
  normalize: StageRun<NormalizeResult>;
  kpis: StageRun<KpiComputeOutcome>;
  /** Null when writeback is disabled, or skipped because the API budget ran out. */
  writeback: StageRun<WritebackResult> | null;
  writebackSkipped: string | null;
}

/**
 * One pass for a connection, inline: extract → normalize → kpis → writeback, each stage its own
 * audited run under one parent 'run' row. Used by `attain run`, the demo and tests; the worker
 * runs the same stage functions as a BullMQ flow.
 */
export function runPipeline(ctx: StageContext, input: PipelineInput = {}): Promise<StageRun<PipelineResult>> {
  return runStage(ctx, 'run', { asOf: input.asOf ?? null }, async (runId) => {
    const child: StageContext = { ...ctx, parentRunId: runId };
    input.onStage?.('sync');
    const sync = await syncConnection(child, {
      full: input.full === true,
      ...(input.onPage ? { onPage: input.onPage } : {}),
    });
    input.onStage?.('normalize');
    const normalize = await normalizeConnection(child);
    input.onStage?.('kpis');
    const kpis = await computeKpis(child, {
      full: input.full === true,
      ...(input.asOf ? { asOf: input.asOf } : {}),
    });
    let writebackRun: StageRun<WritebackResult> | null = null;
    let writebackSkipped: string | null = null;
    if (!ctx.connection.writeback.enabled) writebackSkipped = 'writeback is disabled for this connection';
    else if (sync.status === 'budget_stopped')
      writebackSkipped = 'the API budget is used up; the next run writes back';
    else {
      input.onStage?.('writeback');
      writebackRun = await writeback(child, { asOf: kpis.result.asOf });
    }
    const stages = [sync, normalize, kpis, ...(writebackRun ? [writebackRun] : [])];
    return {
      result: { sync, normalize, kpis, writeback: writebackRun, writebackSkipped },
      status:
        sync.status === 'budget_stopped'
          ? 'budget_stopped'
          : stages.some((s) => s.status === 'partial')
            ? 'partial'
            : 'succeeded',
      apiCalls: stages.reduce((total, stage) => total + stage.apiCalls, 0),
      counts: {
        recordsExtracted: sync.counts.records ?? 0,
        kpiRowsWritten: kpis.counts.rowsWritten ?? 0,
        writebackRecords: writebackRun?.counts.recordsSucceeded ?? 0,
      },
      report: { childRuns: stages.map((stage) => stage.runId), writebackSkipped },
    };
  });
}
