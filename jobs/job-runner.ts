import { performance } from 'node:perf_hooks';
import { UnrecoverableError, WaitingError, type Job, type Processor } from 'bullmq';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Config } from '../src/config.ts';
import { ApiBudgetExhaustedError } from '../src/errors/api-budget-exhausted-error.ts';
import { ConfigError } from '../src/errors/config-error.ts';
import type { Logger } from '../src/logger.ts';
import type { CrmRateLimiter } from '../src/rate-limit.ts';
import type { StageContext } from '../src/stage.ts';
import { JOB_PAYLOAD_SCHEMAS } from './catalog.ts';
import { toJobError } from './failure-policy.ts';
import type { StageJobInput, StageJobResult } from './job-result.ts';
import { JobStoppedError } from './job-stopped-error.ts';
import type { WorkerMetrics } from './metrics.ts';
import { processDigest } from './processors/digest.ts';
import { processExtract } from './processors/extract.ts';
import { processKpis } from './processors/kpis.ts';
import { processNormalize } from './processors/normalize.ts';
import { processWriteback } from './processors/writeback.ts';
import type { QueueName } from './queues.ts';

/** One processor per stage; each calls the same stage function `attain run` uses. */
const PROCESSORS = {
  extract: processExtract,
  normalize: processNormalize,
  kpis: processKpis,
  writeback: processWriteback,
  digest: processDigest,
} as const satisfies Record<QueueName, unknown>;

export interface JobRunnerServices {
  db: Kysely<DB>;
  config: Config;
  logger: Logger;
  rateLimiter: CrmRateLimiter;
  metrics: WorkerMetrics;
}

interface ActiveJob {
  job: Job;
  token: string;
  controller: AbortController;
}

/**
 * Runs jobs as stage calls and keeps track of them, so the worker can stop them: each job gets
 * its own AbortController as its StageContext's signal. SIGTERM aborts every active stage (it
 * stops at its next safe point, after the current page) and the job is handed back to the queue,
 * to be resumed from its checkpoint by whichever worker takes it next.
 */
export class JobRunner {
  readonly #services: JobRunnerServices;
  readonly #active = new Map<string, ActiveJob>();

  constructor(services: JobRunnerServices) {
    this.#services = services;
  }

  processor(queue: QueueName): Processor<unknown, StageJobResult> {
    return (job, token) => this.#run(queue, job, token ?? '');
  }

  get activeJobs(): number {
    return this.#active.size;
  }

  /** SIGTERM: every active stage stops at its next safe point; its job goes back to the queue. */
  stopAll(): void {
    for (const active of this.#active.values()) active.controller.abort(new JobStoppedError('shutdown'));
  }

  /** BullMQ could not renew these jobs' locks: they belong to another worker now, so stop them. */
  lockLost(queue: QueueName, jobIds: readonly string[]): void {
    for (const jobId of jobIds)
      this.#active.get(key(queue, jobId))?.controller.abort(new JobStoppedError('lock-lost'));
  }

  /**
   * The shutdown deadline passed and these stages have not stopped: hand their jobs back now. The
   * process exits next; whatever the stage had stored is consistent with its checkpoint.
   */
  async handBackAll(): Promise<void> {
    await Promise.all(
      [...this.#active.values()].map(({ job, token }) =>
        job
          .moveToWait(token)
          .catch((error: unknown) =>
            this.#services.logger.warn(
              { err: error, jobId: job.id },
              'could not hand the job back; it will stall and be retried',
            ),
          ),
      ),
    );
  }

  async #run(queue: QueueName, job: Job, token: string): Promise<StageJobResult> {
    const id = key(queue, job.id!);
    const controller = new AbortController();
    this.#active.set(id, { job, token, controller });
    const started = performance.now();
    const logger = this.#services.logger.child({ queue, jobId: job.id });
    const observe = (outcome: 'completed' | 'failed' | 'handed_back') =>
      this.#services.metrics.jobDuration.observe({ queue, outcome }, (performance.now() - started) / 1000);
    try {
      const parsed = JOB_PAYLOAD_SCHEMAS[queue].safeParse(job.data);
      if (!parsed.success)
        throw new UnrecoverableError(
          `invalid ${queue} job payload: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
        );
      const payload = parsed.data;
      const input: StageJobInput<typeof payload> = {
        payload,
        ctx: this.#context(payload.connectionId, controller.signal, logger),
        job,
        metrics: this.#services.metrics,
      };
      logger.info({ attempt: job.attemptsMade + 1 }, 'job started');
      const processor = PROCESSORS[queue] as (
        input: StageJobInput<typeof payload>,
      ) => Promise<StageJobResult>;
      const result = await processor(input);
      observe('completed');
      logger.info({ status: result.status }, 'job completed');
      return result;
    } catch (error) {
      const stop: unknown = controller.signal.reason;
      if (controller.signal.aborted && stop instanceof JobStoppedError) {
        // WaitingError tells BullMQ the job has left 'active' already: handed back by us, or, with
        // a lost lock, moved back to wait by the stalled-job check for another worker to resume.
        if (stop.reason === 'shutdown')
          await job
            .moveToWait(token)
            .catch((handBack: unknown) =>
              logger.warn({ err: handBack }, 'could not hand the job back; it will stall and be retried'),
            );
        observe('handed_back');
        logger.info({ reason: stop.reason }, 'job stopped at a safe point and handed back');
        throw new WaitingError(stop.message);
      }
      if (error instanceof ApiBudgetExhaustedError) {
        // Not a failure: the stage stopped with its state saved; the run skips writeback and the
        // next scheduled run continues once the CRM grants quota again.
        observe('completed');
        logger.warn({ reason: error.message }, 'job stopped at the API budget');
        return { runIds: [], status: 'budget_stopped', budgetStopped: true };
      }
      observe('failed');
      const failure = toJobError(error);
      logger.warn({ err: failure, attempt: job.attemptsMade + 1 }, 'job failed');
      throw failure;
    } finally {
      this.#active.delete(id);
    }
  }

  #context(connectionId: string, signal: AbortSignal, logger: Logger): StageContext {
    const { db, config, rateLimiter } = this.#services;
    const connection = config.connections.find((candidate) => candidate.id === connectionId);
    if (!connection)
      throw new ConfigError('worker config', [
        { path: 'connections', message: `no connection "${connectionId}", which a queued job names` },
      ]);
    return {
      db,
      config,
      connection,
      logger,
      signal,
      trigger: 'worker',
      parentRunId: null,
      now: () => new Date(),
      rateLimiter,
    };
  }
}

function key(queue: QueueName, jobId: string): string {
  return `${queue}/${jobId}`;
}
