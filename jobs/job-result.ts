import type { Job } from 'bullmq';
import type { RunStatus } from '../db/schema.ts';
import type { StageContext } from '../src/stage.ts';
import type { WorkerMetrics } from './metrics.ts';

/** What every stage job returns; BullMQ hands it to the parent job of the flow. */
export interface StageJobResult {
  /** The `runs` rows of this job's stage and of every job before it in the run. */
  runIds: number[];
  status: Exclude<RunStatus, 'running' | 'failed'>;
  /** The API budget ran out somewhere in this run: no writeback; the next run continues. */
  budgetStopped: boolean;
  /** The KPI as_of, from the kpis job on. */
  asOf?: string;
}

/** What a processor gets: its validated payload and a StageContext for the job's connection. */
export interface StageJobInput<P> {
  payload: P;
  ctx: StageContext;
  job: Job;
  metrics: WorkerMetrics;
}

/** The results of a job's children (the jobs before it in the flow), folded into one. */
export async function upstreamOf(job: Job): Promise<Omit<StageJobResult, 'status'>> {
  const results = Object.values(await job.getChildrenValues<StageJobResult>());
  const asOf = results.find((result) => result.asOf !== undefined)?.asOf;
  return {
    runIds: results.flatMap((result) => result.runIds),
    budgetStopped: results.some((result) => result.budgetStopped),
    ...(asOf ? { asOf } : {}),
  };
}
