import { DateTime } from 'luxon';
import { createTask, parse, type ScheduledTask } from 'node-cron';
import { AttainError } from '../errors/attain-error.ts';

/** A schedule as far as time goes: a node-cron expression read in an IANA time zone. */
export interface ScheduleClock {
  cron: string;
  timezone: string;
}

// A schedule like "29 Feb" ticks once in four years, and not at all in 2100.
const MAX_DAYS_BACK = 366 * 8;

/**
 * The slot a digest belongs to: the most recent tick of the schedule at or before `now`.
 *
 * node-cron 4 only looks forward, so this walks back day by day. node-cron parses the expression
 * and decides every match (its day-of-month / day-of-week rules, L, W, #, time zones): a probe task
 * with wildcard times tells whether a day can match (checked at local noon, which exists on every
 * day in every zone), then the day's candidate times are tried latest first and the schedule's own
 * task confirms each one — so a local time skipped by a DST change is never a slot, exactly as it
 * never fires.
 */
export function slotFor(schedule: ScheduleClock, now: Date): Date {
  const fields = parse(schedule.cron);
  const options = { timezone: schedule.timezone };
  const dayPattern = ['*', '*', '*', fields.dayOfMonth, fields.month, fields.dayOfWeek]
    .map((field) => (Array.isArray(field) ? field.join(',') : field))
    .join(' ');
  const dayProbe = createTask(dayPattern, () => undefined, options);
  const tick = createTask(schedule.cron, () => undefined, options);
  try {
    const local = DateTime.fromJSDate(now, { zone: schedule.timezone });
    const hours = descending(fields.hour);
    const minutes = descending(fields.minute);
    const seconds = descending(fields.second);
    for (let back = 0; back <= MAX_DAYS_BACK; back++) {
      const day = local.startOf('day').minus({ days: back });
      if (!dayProbe.match(day.set({ hour: 12 }).toJSDate())) continue;
      const bound = back === 0 ? local : null;
      for (const hour of hours) {
        if (bound && hour > bound.hour) continue;
        for (const minute of minutes) {
          if (bound && hour === bound.hour && minute > bound.minute) continue;
          for (const second of seconds) {
            const candidate = DateTime.fromObject(
              { year: day.year, month: day.month, day: day.day, hour, minute, second },
              { zone: schedule.timezone },
            ).toJSDate();
            if (candidate.getTime() <= now.getTime() && tick.match(candidate)) return candidate;
          }
        }
      }
    }
  } finally {
    destroy(dayProbe);
    destroy(tick);
  }
  throw new AttainError(
    `cron "${schedule.cron}" (${schedule.timezone}) has not ticked in the ${MAX_DAYS_BACK} days before ${now.toISOString()}`,
    { exitCode: 2 },
  );
}

function descending(values: readonly number[]): number[] {
  return [...values].sort((a, b) => b - a);
}

// Inline tasks destroy synchronously; they were never started, so no timer is left behind.
function destroy(task: ScheduledTask): void {
  void task.destroy();
}
