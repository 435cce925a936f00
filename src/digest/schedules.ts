import type { Config, ConnectionConfig } from '../config.ts';
import { UsageError } from '../errors/usage-error.ts';
import type { DigestSchedule } from './settings.ts';

/** A configured schedule with its time zone settled (the org's when the schedule names none). */
export type ResolvedSchedule = DigestSchedule & { timezone: string };

/**
 * The schedule called `name`, checked against the connection it is used with: a schedule that
 * names a connection only runs for it, and one that names none only makes sense with one connection.
 */
export function findSchedule(config: Config, name: string, connection: ConnectionConfig): ResolvedSchedule {
  const schedules = config.digests.schedules;
  const schedule = schedules.find((candidate) => candidate.name === name);
  if (!schedule) {
    const known = schedules.map((candidate) => candidate.name).join(', ') || 'none';
    throw new UsageError(`no digest schedule "${name}" in the config (configured: ${known})`);
  }
  if (schedule.connection !== undefined && schedule.connection !== connection.id) {
    throw new UsageError(
      `digest schedule "${name}" is for connection "${schedule.connection}", not "${connection.id}"`,
    );
  }
  if (schedule.connection === undefined && config.connections.length > 1) {
    throw new UsageError(
      `digest schedule "${name}" must name its connection (digests.schedules[].connection): several are configured`,
    );
  }
  return { ...schedule, timezone: schedule.timezone ?? config.org.timezone };
}

/** The schedule a command means: the one named, or the only one configured; null when none is. */
export function defaultScheduleName(config: Config, name: string | undefined): string | null {
  if (name !== undefined) return name;
  const schedules = config.digests.schedules;
  if (schedules.length === 1) return schedules[0]!.name;
  if (schedules.length === 0) return null;
  throw new UsageError(
    `several digest schedules configured (${schedules.map((schedule) => schedule.name).join(', ')}): choose one with --schedule`,
  );
}
