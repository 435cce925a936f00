import type { Command } from 'commander';
import { migrateToLatest } from '../../db/migrate.ts';
import { addQueueGauges, addWarehouseGauges } from '../../jobs/metrics.ts';
import { isQueueName, openQueues, QUEUE_NAMES, type QueueName } from '../../jobs/queues.ts';
import { closeRedis, createRedis } from '../../jobs/redis-connection.ts';
import { parsePort, readinessChecks, requireServices, shutdownSignal } from '../../jobs/service.ts';
import { startWorker } from '../../jobs/worker.ts';
import { UsageError } from '../errors/usage-error.ts';
import { startOpsServer, type OpsServer } from '../http.ts';
import { MetricsRegistry } from '../prometheus.ts';
import type { CommandContext } from './context.ts';

export function registerWorker(program: Command, context: CommandContext): void {
  program
    .command('worker')
    .description('run queued jobs (extract, normalize, kpis, writeback, digest) until SIGTERM')
    .option('--queues <names>', `comma-separated queues to work on (default: ${QUEUE_NAMES.join(',')})`)
    .option('--http-port <port>', '/healthz, /readyz, /metrics port (default: worker.httpPort; 0 = any free)')
    .action(async (options: { queues?: string; httpPort?: string }) => {
      const queues = parseQueues(options.queues);
      const port = parsePort(options.httpPort);
      const { config } = context.config();
      const { redisUrl } = requireServices(context.environment, 'worker');
      const { logger, output } = context;
      const database = await context.openDatabase();
      const counted = openQueues(redisUrl, config.queue.prefix, logger);
      const probe = createRedis(redisUrl, 'producer', logger);
      let server: OpsServer | undefined;
      try {
        await migrateToLatest(database.db);
        const metrics = new MetricsRegistry();
        addQueueGauges(metrics, counted);
        addWarehouseGauges(metrics, database.db, config);
        const ops = await startOpsServer({
          port: port ?? config.worker.httpPort,
          readiness: readinessChecks(probe, database.db),
          metrics,
          logger,
        });
        server = ops;
        const worker = startWorker({ config, db: database.db, redisUrl, queues, logger, metrics });
        const { concurrency, shutdownTimeoutSeconds } = config.worker;
        output.result({ command: 'worker', queues, prefix: config.queue.prefix, httpPort: ops.port }, () =>
          [
            `attain worker: working on ${queues.map((queue) => `${queue} ×${concurrency[queue]}`).join(', ')} ` +
              `(queue prefix "${config.queue.prefix}")`,
            `  health and metrics on port ${ops.port}: /healthz /readyz /metrics`,
            `  SIGTERM stops it: active jobs stop at a safe point and go back to the queue ` +
              `(deadline ${shutdownTimeoutSeconds}s)`,
          ].join('\n'),
        );

        const signal = await shutdownSignal();
        const timeoutMs = shutdownTimeoutSeconds * 1000;
        // Whatever hangs in the cleanup (a Redis that is down), the process is gone by the deadline.
        setTimeout(() => process.exit(0), timeoutMs).unref();
        logger.info({ signal }, 'stopping: no new jobs; active jobs stop at their next safe point');
        ops.drain();
        // The jobs get the deadline minus a reserve for handing them back and closing connections.
        const ended = await worker.stop(timeoutMs - Math.min(5000, timeoutMs / 4));
        logger.info({ ended }, 'worker stopped');
      } finally {
        await server?.close();
        await Promise.allSettled([...counted.values()].map((queue) => queue.close()));
        closeRedis(probe);
        await database.close();
      }
    });
}

function parseQueues(value: string | undefined): QueueName[] {
  if (value === undefined) return [...QUEUE_NAMES];
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !isQueueName(name));
  if (names.length === 0 || unknown.length > 0)
    throw new UsageError(
      `--queues: ${unknown.length > 0 ? `unknown queue ${unknown.join(', ')}` : 'no queue named'} (queues: ${QUEUE_NAMES.join(', ')})`,
    );
  return [...new Set(names as QueueName[])];
}
