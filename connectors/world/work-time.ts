import type { LocalDays } from './local-days.ts';
import type { Random } from './random.ts';

const HOUR = 3600;
/** Share of activities a rep moves off a weekend day onto the nearest weekday. */
const WEEKDAY_BIAS = 0.92;

export interface WorkTimeOptions {
  /** Between 19:00 and 23:00 local instead of office hours (evening in New York is the next UTC day). */
  evening?: boolean;
  /** Round the local time of day to this many seconds (meetings start on the half hour). */
  slotSeconds?: number;
}

/**
 * An instant in [fromMs, toMs] at a plausible local working time: a weekday (mostly) during
 * office hours, peaking early afternoon. Always whole seconds (bounds are rounded inwards). Falls
 * back to the bounds when the window is too narrow to hold such a time.
 */
export function workInstant(
  random: Random,
  days: LocalDays,
  fromMs: number,
  toMs: number,
  options: WorkTimeOptions = {},
): number {
  const from = ceilSecond(fromMs);
  const to = floorSecond(toMs);
  if (to <= from) return from;
  const firstDay = days.indexOf(from);
  const lastDay = days.indexOf(to);
  let day = days.indexOf(from + Math.floor(random.next() * (to - from)));
  const weekday = days.weekday(day);
  if (weekday >= 6 && random.chance(WEEKDAY_BIAS)) {
    const shifted = weekday === 6 ? day - 1 : day + 1;
    if (shifted >= firstDay && shifted <= lastDay) day = shifted;
  }
  const slot = options.slotSeconds ?? 60;
  const seconds = options.evening
    ? random.range(19 * HOUR, 23 * HOUR)
    : 8 * HOUR + ((random.next() + random.next()) / 2) * 10.5 * HOUR;
  const at = days.instantAt(day, Math.floor(seconds / slot) * slot);
  return Math.min(to, Math.max(from, at));
}

/** A uniform whole-second instant in [fromMs, toMs] (for bookkeeping stamps, not working times). */
export function uniformInstant(random: Random, fromMs: number, toMs: number): number {
  const from = ceilSecond(fromMs);
  const to = floorSecond(toMs);
  if (to <= from) return from;
  return Math.min(to, ceilSecond(from + random.next() * (to - from)));
}

function ceilSecond(ms: number): number {
  return Math.ceil(ms / 1000) * 1000;
}

function floorSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
