/**
 * Every API call the portal answered (auth failures excepted), by endpoint name ('objects.list',
 * 'objects.search', 'objects.batch.upsert', …), including calls that a fault or a rate limit
 * answered ('fault', 'rate_limited'), for tests to assert on.
 */
export interface ApiUsageSnapshot {
  total: number;
  byEndpoint: Record<string, number>;
  /** Calls counted against the daily limit today (portal time zone) and the limit. */
  daily: { used: number; limit: number; remaining: number };
}

export class ApiUsage {
  private total = 0;
  private byEndpoint: Record<string, number> = {};

  count(endpoint: string): void {
    this.total++;
    this.byEndpoint[endpoint] = (this.byEndpoint[endpoint] ?? 0) + 1;
  }

  snapshot(daily: { used: number; limit: number }): ApiUsageSnapshot {
    return {
      total: this.total,
      byEndpoint: { ...this.byEndpoint },
      daily: { ...daily, remaining: Math.max(0, daily.limit - daily.used) },
    };
  }

  reset(): void {
    this.total = 0;
    this.byEndpoint = {};
  }
}
