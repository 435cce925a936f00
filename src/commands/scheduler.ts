import type { Command } from 'commander';
import { addQueueGauges, addWarehouseGauges, schedulerTicks } from '../../jobs/metrics.ts';
import { RunProducer } from '../../jobs/run-producer.ts';
import { plannedSchedules, startScheduler } from '../../jobs/scheduler.ts';
import { parsePort, readinessChecks, requireServices, shutdownSignal } from '../../jobs/service.ts';
import { UsageError } from '../errors/usage-error.ts';
import { startOpsServer } from '../http.ts';
import { MetricsRegistry } from '../prometheus.ts';
import { textTable } from '../text-table.ts';
import type { CommandContext } from './context.ts';

export function registerScheduler(program: Command, context: CommandContext): void {
  program
    .command('scheduler')
    .description(
      'enqueue scheduled runs and digests until SIGTERM (any number of replicas: one run per slot)',
    )
    .option(
      '--http-port <port>',
      '/healthz, /readyz, /metrics port (default: scheduler.httpPort; 0 = any free)',
    )
    .action(async (options: { httpPort?: string }) => {
      const port = parsePort(options.httpPort);
      const loaded = context.config();
      const { config } = loaded;
      const { redisUrl } = requireServices(context.environment, 'scheduler');
      const { logger, output } = context;
      const producer = new RunProducer(config, redisUrl, logger);
      const database = await context.openDatabase();
      try {
        const schedules = plannedSchedules(config, producer);
        if (schedules.length === 0)
          throw new UsageError(
            `nothing to schedule${loaded.file ? ` in ${loaded.file}` : ''}: configure connections (and schedules)`,
          );
        const metrics = new MetricsRegistry();
        const ticks = schedulerTicks(metrics);
        addQueueGauges(metrics, producer.queues);
        addWarehouseGauges(metrics, database.db, config);
        const server = await startOpsServer({
          port: port ?? config.scheduler.httpPort,
          readiness: readinessChecks(producer.redis, database.db),
          metrics,
          logger,
        });
        const scheduler = startScheduler(schedules, { logger, ticks });
        const rows = scheduler.schedules.map((planned) => ({
          name: planned.name,
          cron: planned.cron,
          timezone: planned.timezone,
          next: scheduler.nextRun(planned.name)?.toISOString() ?? '',
        }));
        output.result(
          { command: 'scheduler', prefix: config.queue.prefix, httpPort: server.port, schedules: rows },
          () =>
            [
              `attain scheduler: ${rows.length} schedule${rows.length === 1 ? '' : 's'} (queue prefix "${config.queue.prefix}")`,
              textTable(rows, [
                { header: 'schedule', value: (row) => row.name },
                { header: 'cron', value: (row) => row.cron },
                { header: 'time zone', value: (row) => row.timezone },
                { header: 'next', value: (row) => row.next },
              ]),
              `  health and metrics on port ${server.port}: /healthz /readyz /metrics`,
            ].join('\n'),
        );
        const signal = await shutdownSignal();
        logger.info({ signal }, 'stopping the scheduler');
        server.drain();
        await scheduler.stop();
        await server.close();
      } finally {
        await producer.close();
        await database.close();
      }
    });
}
