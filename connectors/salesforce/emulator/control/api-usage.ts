import type { Clock } from '../../../emulator-kit/clock.ts';

const DAY_MS = 24 * 3600 * 1000;

export interface ApiUsageSnapshot {
  /** Calls in the rolling 24 hours (emulator time), as Sforce-Limit-Info reports them. */
  used: number;
  limit: number;
  remaining: number;
  /** Every counted call since start (or the last reset). */
  total: number;
  /** Counted calls by endpoint name ('query', 'queryMore', 'describe', 'bulk.results', …). */
  byEndpoint: Record<string, number>;
  bulkQueryJobs: number;
}

/**
 * The org's daily API request counter (spec §11): every REST and Bulk call counts, retries and
 * failed calls included; OAuth token calls do not. Beyond `limit` calls in 24 hours the API
 * answers 403 REQUEST_LIMIT_EXCEEDED.
 */
export class ApiUsage {
  readonly limit: number;
  private readonly clock: Clock;
  private calls: number[] = [];
  private bulkJobs: number[] = [];
  private total = 0;
  private byEndpoint: Record<string, number> = {};

  constructor(clock: Clock, limit: number) {
    this.clock = clock;
    this.limit = limit;
  }

  count(endpoint: string): void {
    this.calls.push(this.clock.nowMs());
    this.total++;
    this.byEndpoint[endpoint] = (this.byEndpoint[endpoint] ?? 0) + 1;
  }

  countBulkJob(): void {
    this.bulkJobs.push(this.clock.nowMs());
  }

  used(): number {
    this.calls = withinDay(this.calls, this.clock.nowMs());
    return this.calls.length;
  }

  bulkJobsToday(): number {
    this.bulkJobs = withinDay(this.bulkJobs, this.clock.nowMs());
    return this.bulkJobs.length;
  }

  exhausted(): boolean {
    return this.used() >= this.limit;
  }

  snapshot(): ApiUsageSnapshot {
    const used = this.used();
    return {
      used,
      limit: this.limit,
      remaining: Math.max(0, this.limit - used),
      total: this.total,
      byEndpoint: { ...this.byEndpoint },
      bulkQueryJobs: this.bulkJobsToday(),
    };
  }

  reset(): void {
    this.calls = [];
    this.bulkJobs = [];
    this.total = 0;
    this.byEndpoint = {};
  }
}

function withinDay(stamps: number[], nowMs: number): number[] {
  const from = nowMs - DAY_MS;
  let start = 0;
  while (start < stamps.length && stamps[start]! <= from) start++;
  return start === 0 ? stamps : stamps.slice(start);
}
