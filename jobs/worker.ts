import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Config } from '../src/config.ts';
import type { Logger } from '../src/logger.ts';
import type { MetricsRegistry } from '../src/prometheus.ts';
import { retryDelayStrategy } from './failure-policy.ts';
import { JobRunner } from './job-runner.ts';
import { workerMetrics } from './metrics.ts';
import { bullConnection, closeRedis, createRedis, errorLogger } from './redis-connection.ts';
import { RedisRateLimiter } from './redis-rate-limiter.ts';
import type { QueueName } from './queues.ts';

export interface StartWorkerOptions {
  config: Config;
  db: Kysely<DB>;
  redisUrl: string;
  queues: readonly QueueName[];
  logger: Logger;
  metrics: MetricsRegistry;
}

export interface RunningWorker {
  /**
   * Stops taking jobs, stops the active stages at their next safe point and hands their jobs back
   * to the queue; after `deadlineMs` whatever is still running is handed back as it is. Resolves
   * with how the jobs ended.
   */
  stop(deadlineMs: number): Promise<'drained' | 'handed-back-at-deadline'>;
}

/**
 * One BullMQ Worker per queue in this process, all sharing one JobRunner (so shutdown reaches
 * every active job) and one Redis-backed CRM rate limiter (so the limit holds across processes).
 */
export function startWorker(options: StartWorkerOptions): RunningWorker {
  const { config, logger } = options;
  const limiterRedis: Redis = createRedis(options.redisUrl, 'worker', logger);
  const rateLimiter = new RedisRateLimiter(limiterRedis, config.queue.prefix, (connectionId) => {
    const limit = config.connections.find((connection) => connection.id === connectionId)?.rateLimit;
    return limit
      ? { requests: limit.requests, intervalMs: limit.intervalSeconds * 1000 }
      : { requests: 0, intervalMs: 1000 };
  });
  const runner = new JobRunner({
    db: options.db,
    config,
    logger,
    rateLimiter,
    metrics: workerMetrics(options.metrics),
  });
  const settings = config.worker;
  const connection = bullConnection(options.redisUrl, 'worker');
  const workers = options.queues.map((queue) => {
    const worker = new Worker(queue, runner.processor(queue), {
      connection,
      prefix: config.queue.prefix,
      concurrency: settings.concurrency[queue],
      lockDuration: settings.lockDurationSeconds * 1000,
      stalledInterval: settings.stalledIntervalSeconds * 1000,
      maxStalledCount: settings.maxStalledCount,
      settings: { backoffStrategy: retryDelayStrategy(config.queue.maxBackoffSeconds * 1000) },
    });
    worker.on('error', errorLogger(`worker ${queue}`, logger));
    worker.on('lockRenewalFailed', (jobIds) => runner.lockLost(queue, jobIds));
    worker.on('stalled', (jobId) =>
      logger.warn({ queue, jobId }, 'job stalled (its worker died or lost Redis); moved back to wait'),
    );
    return worker;
  });

  return {
    async stop(deadlineMs) {
      // close() first: it stops fetching at once, so a job handed back is not fetched again here.
      const closing = Promise.all(workers.map((worker) => worker.close()));
      runner.stopAll();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'deadline'>((resolve) => {
        timer = setTimeout(() => resolve('deadline'), deadlineMs);
      });
      const ended = await Promise.race([closing.then(() => 'closed' as const), deadline]);
      clearTimeout(timer);
      if (ended === 'deadline') {
        logger.warn(
          { active: runner.activeJobs },
          'shutdown deadline reached: handing the active jobs back as they are',
        );
        await runner.handBackAll();
        await Promise.race([
          Promise.all(workers.map((worker) => worker.close(true))),
          new Promise((resolve) => setTimeout(resolve, 1000)),
        ]);
      }
      closeRedis(limiterRedis);
      return ended === 'deadline' ? 'handed-back-at-deadline' : 'drained';
    },
  };
}
