import { createTask, schedule, type ScheduledTask } from 'node-cron';
import type { Config, ConnectionConfig } from '../src/config.ts';
import { findSchedule } from '../src/digest/schedules.ts';
import { ConfigError } from '../src/errors/config-error.ts';
import type { Logger } from '../src/logger.ts';
import type { Counter } from '../src/prometheus.ts';
import type { EnqueueResult, RunProducer } from './run-producer.ts';

/** One cron schedule the scheduler runs, and what a tick of it enqueues. */
export interface PlannedSchedule {
  /** e.g. `sync sf-prod`, `full-refresh sf-prod`, `digest weekly-managers`. */
  name: string;
  cron: string;
  timezone: string;
  fire(slot: Date): Promise<EnqueueResult>;
}

/**
 * Every schedule of the config: per connection an incremental `sync` and an optional
 * `fullRefresh` (global values under `schedules`, overridden per connection), and every digest
 * schedule. The scheduler never calls a CRM: a run's extract jobs come from the connector's static
 * object list.
 */
export function plannedSchedules(config: Config, producer: RunProducer): PlannedSchedule[] {
  const planned: PlannedSchedule[] = [];
  for (const connection of config.connections) {
    const own = config.schedules.connections[connection.id] ?? {};
    const timezone = own.timezone ?? config.schedules.timezone ?? config.org.timezone;
    const sync = own.sync === undefined ? config.schedules.sync : own.sync;
    const fullRefresh = own.fullRefresh === undefined ? config.schedules.fullRefresh : own.fullRefresh;
    // When both schedules tick at the same instant, both enqueue the full run of that slot.
    const isFullRefreshSlot = fullRefresh
      ? (slot: Date) => matches(fullRefresh, timezone, slot)
      : () => false;
    if (sync)
      planned.push({
        name: `sync ${connection.id}`,
        cron: sync,
        timezone,
        fire: (slot) => producer.enqueueRun(connection, slot, isFullRefreshSlot(slot) ? 'full' : 'sync'),
      });
    if (fullRefresh)
      planned.push({
        name: `full-refresh ${connection.id}`,
        cron: fullRefresh,
        timezone,
        fire: (slot) => producer.enqueueRun(connection, slot, 'full'),
      });
  }
  for (const [index, digest] of config.digests.schedules.entries()) {
    const connection = digestConnection(config, index, digest.connection);
    const resolved = findSchedule(config, digest.name, connection);
    planned.push({
      name: `digest ${digest.name}`,
      cron: resolved.cron,
      timezone: resolved.timezone,
      fire: (slot) => producer.enqueueDigest(digest.name, connection, slot),
    });
  }
  return planned;
}

export interface RunningScheduler {
  readonly schedules: readonly PlannedSchedule[];
  /** When the named schedule ticks next. */
  nextRun(name: string): Date | null;
  stop(): Promise<void>;
}

/**
 * Starts one node-cron task per schedule. node-cron fires on every replica (it has no distributed
 * lock), which is fine: a tick enqueues with deterministic ids (RunProducer), so N replicas produce
 * one run per slot. The slot is the tick's scheduled instant, not the time the callback ran.
 */
export function startScheduler(
  schedules: readonly PlannedSchedule[],
  options: { logger: Logger; ticks: Counter },
): RunningScheduler {
  const tasks: ScheduledTask[] = schedules.map((planned) =>
    schedule(
      planned.cron,
      async (context) => {
        const slot = new Date(Math.floor(context.date.getTime() / 1000) * 1000);
        try {
          const result = await planned.fire(slot);
          options.ticks.inc({ schedule: planned.name, outcome: result.outcome });
          options.logger.info(
            { schedule: planned.name, slot: slot.toISOString(), ...result },
            `${planned.name}: ${result.outcome.replace('_', ' ')}`,
          );
        } catch (error) {
          options.ticks.inc({ schedule: planned.name, outcome: 'error' });
          options.logger.error(
            { err: error, schedule: planned.name, slot: slot.toISOString() },
            `${planned.name}: could not enqueue; the next tick tries again`,
          );
        }
      },
      { timezone: planned.timezone, name: planned.name },
    ),
  );
  return {
    schedules,
    nextRun: (name) => tasks[schedules.findIndex((planned) => planned.name === name)]?.getNextRun() ?? null,
    async stop() {
      await Promise.all(tasks.map((task) => task.destroy()));
    },
  };
}

function matches(cron: string, timezone: string, slot: Date): boolean {
  const task = createTask(cron, () => undefined, { timezone });
  try {
    return task.match(slot);
  } finally {
    void task.destroy();
  }
}

function digestConnection(config: Config, index: number, id: string | undefined): ConnectionConfig {
  const found =
    id === undefined
      ? config.connections.length === 1
        ? config.connections[0]
        : undefined
      : config.connections.find((candidate) => candidate.id === id);
  if (!found)
    throw new ConfigError('digests.schedules', [
      {
        path: `digests.schedules[${index}].connection`,
        message: id === undefined ? 'name the connection this schedule is for' : `no connection "${id}"`,
      },
    ]);
  return found;
}
