import { DateTime } from 'luxon';
import type { Clock } from '../../../emulator-kit/clock.ts';
import { HubSpotError } from '../hubspot-error.ts';
import type { EmulatorSettings } from '../options.ts';

const INTERVAL_MS = 10_000;

/**
 * The portal's rate limits (spec §2.6): a rolling 10-second window for every request, a
 * one-second window for search, and a daily counter that resets at midnight in the portal time
 * zone. A request over a limit is answered 429 with HubSpot's body for that policy and a
 * Retry-After; rejected requests do not use up the windows. Every response carries the
 * X-HubSpot-RateLimit-* headers.
 */
export class RateLimits {
  private readonly clock: Clock;
  private readonly settings: EmulatorSettings;
  private readonly timezone: string;
  private recent: number[] = [];
  private searches: number[] = [];
  private day = '';
  private dailyUsed = 0;

  constructor(clock: Clock, settings: EmulatorSettings, timezone: string) {
    this.clock = clock;
    this.settings = settings;
    this.timezone = timezone;
  }

  /** Admits one request, or returns the 429 it gets. */
  admit(search: boolean): HubSpotError | null {
    const now = this.clock.nowMs();
    this.rollDay(now);
    this.recent = this.recent.filter((at) => at > now - INTERVAL_MS);
    this.searches = this.searches.filter((at) => at > now - 1000);
    const { dailyApiLimit, requestsPer10s, searchPerSecond } = this.settings;
    if (this.dailyUsed >= dailyApiLimit) {
      const midnight = DateTime.fromMillis(now, { zone: this.timezone }).plus({ days: 1 }).startOf('day');
      return this.tooMany(
        'DAILY',
        'You have reached your daily limit.',
        Math.ceil((midnight.toMillis() - now) / 1000),
      );
    }
    if (this.recent.length >= requestsPer10s) {
      const retry = Math.max(1, Math.ceil((this.recent[0]! + INTERVAL_MS - now) / 1000));
      return this.tooMany('TEN_SECONDLY_ROLLING', 'You have reached your ten_secondly_rolling limit.', retry);
    }
    if (search && this.searches.length >= searchPerSecond)
      return this.tooMany('SECONDLY', 'You have reached your secondly limit.', 1);
    this.recent.push(now);
    if (search) this.searches.push(now);
    this.dailyUsed++;
    return null;
  }

  dailyUsage(): { used: number; limit: number } {
    this.rollDay(this.clock.nowMs());
    return { used: this.dailyUsed, limit: this.settings.dailyApiLimit };
  }

  headers(): Record<string, string> {
    const now = this.clock.nowMs();
    const max = this.settings.requestsPer10s;
    const inWindow = this.recent.filter((at) => at > now - INTERVAL_MS).length;
    const secondly = Math.ceil(max / 10);
    const inSecond = this.recent.filter((at) => at > now - 1000).length;
    const { used, limit } = this.dailyUsage();
    return {
      'X-HubSpot-RateLimit-Daily': String(limit),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, limit - used)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(INTERVAL_MS),
      'X-HubSpot-RateLimit-Max': String(max),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, max - inWindow)),
      'X-HubSpot-RateLimit-Secondly': String(secondly),
      'X-HubSpot-RateLimit-Secondly-Remaining': String(Math.max(0, secondly - inSecond)),
    };
  }

  reset(): void {
    this.recent = [];
    this.searches = [];
    this.dailyUsed = 0;
  }

  private rollDay(now: number): void {
    const day = DateTime.fromMillis(now, { zone: this.timezone }).toFormat('yyyy-MM-dd');
    if (day !== this.day) {
      this.day = day;
      this.dailyUsed = 0;
    }
  }

  private tooMany(policyName: string, message: string, retryAfterSeconds: number): HubSpotError {
    const legacy = this.settings.legacyRateLimitBodies;
    const error = new HubSpotError(
      429,
      'RATE_LIMITS',
      message,
      {
        errorType: 'RATE_LIMIT',
        policyName,
        ...(policyName === 'TEN_SECONDLY_ROLLING'
          ? { groupName: `publicapi:private_app-api-calls-ten-secondly:1:${this.settings.portalId}` }
          : {}),
      },
      { 'Retry-After': String(retryAfterSeconds) },
    );
    return legacy ? withoutCategory(error) : error;
  }
}

/** The older 429 body form: no `category`. */
function withoutCategory(error: HubSpotError): HubSpotError {
  const legacy = Object.create(error) as HubSpotError;
  legacy.toBody = (correlationId: string) => {
    const { category: _category, ...body } = error.toBody(correlationId);
    return body;
  };
  return legacy;
}
