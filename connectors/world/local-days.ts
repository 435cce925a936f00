import { DateTime } from 'luxon';

const DAY_MS = 86_400_000;
/** Times of day from this hour on are placed from the next midnight back, see `instantAt`. */
const LATE_SECONDS = 4 * 3600;

/**
 * The org-local calendar days of a span, precomputed once with luxon so the generator can turn
 * instants into local dates (and local times of day into instants) with array lookups instead of
 * a time-zone computation per record. Handles DST: each day's start is its real local midnight.
 */
export class LocalDays {
  readonly timezone: string;
  /** UTC ms of each day's local midnight, plus one extra entry: the midnight after the last day. */
  readonly #starts: number[] = [];
  readonly #dates: string[] = [];
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  readonly #weekdays: number[] = [];
  readonly #indexByDate = new Map<string, number>();

  constructor(timezone: string, firstDate: string, lastDate: string) {
    this.timezone = timezone;
    let day = DateTime.fromISO(firstDate, { zone: timezone }).startOf('day');
    const last = DateTime.fromISO(lastDate, { zone: timezone }).startOf('day');
    if (!day.isValid || !last.isValid || last < day)
      throw new RangeError(`bad day span ${firstDate}..${lastDate}`);
    while (day <= last) {
      const date = day.toFormat('yyyy-MM-dd');
      this.#indexByDate.set(date, this.#dates.length);
      this.#starts.push(day.toMillis());
      this.#dates.push(date);
      this.#weekdays.push(day.weekday);
      day = day.plus({ days: 1 }).startOf('day');
    }
    this.#starts.push(day.toMillis());
  }

  get length(): number {
    return this.#dates.length;
  }

  get firstMs(): number {
    return this.#starts[0] as number;
  }

  /** Exclusive: the local midnight after the last day. */
  get endMs(): number {
    return this.#starts[this.#dates.length] as number;
  }

  /** Index of the local day containing `ms`. */
  indexOf(ms: number): number {
    if (ms < this.firstMs || ms >= this.endMs)
      throw new RangeError(`${new Date(ms).toISOString()} is outside the world's calendar`);
    let index = Math.min(this.#dates.length - 1, Math.floor((ms - this.firstMs) / DAY_MS));
    while ((this.#starts[index] as number) > ms) index--;
    while ((this.#starts[index + 1] as number) <= ms) index++;
    return index;
  }

  indexOfDate(date: string): number {
    const index = this.#indexByDate.get(date);
    if (index === undefined) throw new RangeError(`${date} is outside the world's calendar`);
    return index;
  }

  /** The org-local date 'YYYY-MM-DD' of an instant. */
  dateOf(ms: number): string {
    return this.#dates[this.indexOf(ms)] as string;
  }

  dateAt(index: number): string {
    const date = this.#dates[index];
    if (date === undefined) throw new RangeError(`day ${index} is outside the world's calendar`);
    return date;
  }

  startMs(index: number): number {
    const start = this.#starts[index];
    if (start === undefined) throw new RangeError(`day ${index} is outside the world's calendar`);
    return start;
  }

  weekday(index: number): number {
    return this.#weekdays[index] ?? 0;
  }

  /**
   * The instant of local time `seconds` after midnight on day `index`. Late times are counted back
   * from the next midnight, so on a DST change day (which shifts in the small hours) a meeting at
   * 10:00 is still at 10:00 on the wall clock.
   */
  instantAt(index: number, seconds: number): number {
    if (seconds >= LATE_SECONDS) return this.startMs(index + 1) - (86_400 - seconds) * 1000;
    return this.startMs(index) + seconds * 1000;
  }
}
