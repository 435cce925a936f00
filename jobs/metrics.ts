import type { Queue } from 'bullmq';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Config } from '../src/config.ts';
import type { Counter, Histogram, MetricsRegistry } from '../src/prometheus.ts';
import type { QueueName } from './queues.ts';

/**
 * attain's Prometheus metrics. Counters and histograms count what this process did (sum them over
 * processes); the gauges are read from Redis and PostgreSQL at scrape time and are the same on
 * every process (take max, not sum).
 */

const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;

export interface WorkerMetrics {
  jobDuration: Histogram;
  recordsExtracted: Counter;
  apiCalls: Counter;
  writebackRows: Counter;
}

export function workerMetrics(registry: MetricsRegistry): WorkerMetrics {
  return {
    jobDuration: registry.histogram(
      'attain_job_duration_seconds',
      'Time this process spent on jobs, by queue and outcome (completed, failed, handed_back)',
      ['queue', 'outcome'],
      [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
    ),
    recordsExtracted: registry.counter(
      'attain_records_extracted_total',
      'CRM records read by extract jobs of this process',
      ['connection', 'object'],
    ),
    apiCalls: registry.counter(
      'attain_crm_api_calls_total',
      'CRM API requests made by jobs of this process',
      ['connection', 'stage'],
    ),
    writebackRows: registry.counter(
      'attain_writeback_rows_total',
      'Records written back to the CRM by this process: sent, and failed (retried by the next run)',
      ['connection', 'result'],
    ),
  };
}

export function schedulerTicks(registry: MetricsRegistry): Counter {
  return registry.counter(
    'attain_scheduler_ticks_total',
    'Schedule ticks of this process by outcome: enqueued, duplicate (another replica was first), ' +
      'skipped_running (the previous run is still going), error',
    ['schedule', 'outcome'],
  );
}

/** attain_queue_jobs{queue,state}: jobs per queue and state. */
export function addQueueGauges(registry: MetricsRegistry, queues: ReadonlyMap<QueueName, Queue>): void {
  const gauge = registry.gauge('attain_queue_jobs', 'Jobs in each queue by state', ['queue', 'state']);
  registry.collector('queues', async () => {
    const counts = await Promise.all(
      [...queues].map(async ([name, queue]) => [name, await queue.getJobCounts(...JOB_STATES)] as const),
    );
    gauge.reset();
    for (const [name, byState] of counts)
      for (const state of JOB_STATES) gauge.set({ queue: name, state }, byState[state] ?? 0);
  });
}

/**
 * attain_cursor_lag_seconds{connection,object}: how far each object's watermark (everything
 * modified before it is stored) trails now; attain_crm_api_daily_used / _limit{connection}: the
 * CRM's own count of API calls in its rolling day, as of the latest extract.
 */
export function addWarehouseGauges(registry: MetricsRegistry, db: Kysely<DB>, config: Config): void {
  const lag = registry.gauge(
    'attain_cursor_lag_seconds',
    'Seconds between now and the watermark of each extracted object',
    ['connection', 'object'],
  );
  const used = registry.gauge(
    'attain_crm_api_daily_used',
    'API calls the CRM counts against the daily limit, as reported to the latest extract',
    ['connection'],
  );
  const limit = registry.gauge('attain_crm_api_daily_limit', 'The CRM’s daily API limit', ['connection']);
  registry.collector('cursor_lag', async () => {
    const rows = await db
      .selectFrom('sync_state')
      .select(['connection_id', 'object', 'watermark'])
      .where('watermark', 'is not', null)
      .execute();
    const now = Date.now();
    lag.reset();
    for (const row of rows)
      lag.set({ connection: row.connection_id, object: row.object }, (now - row.watermark!.getTime()) / 1000);
  });
  registry.collector('api_budget', async () => {
    const latest = await Promise.all(
      config.connections.map(async (connection) => {
        // Newest first by primary key: a short backward index scan, however long `runs` grows.
        const row = await db
          .selectFrom('runs')
          .select('report')
          .where('connection_id', '=', connection.id)
          .where('stage', '=', 'sync')
          .where(sql`report -> 'apiUsage'`, 'is not', null)
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        return [connection.id, row?.report.apiUsage as { used: number; limit: number } | undefined] as const;
      }),
    );
    used.reset();
    limit.reset();
    for (const [connection, usage] of latest) {
      if (!usage) continue;
      used.set({ connection }, usage.used);
      limit.set({ connection }, usage.limit);
    }
  });
}
