import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../src/logger.ts';
import { LocalRateLimiter, type CrmRateLimiter } from '../../src/rate-limit.ts';
import type { ApiUsage } from '../types.ts';
import { CallTimeoutError } from './call-timeout-error.ts';
import { classifyHubSpotError, toAttainError } from './classify-error.ts';
import { createHubSpotApis, TransportObserver, type HubSpotApis } from './client.ts';
import type { HubSpotCredentials, HubSpotSyncSettings } from './settings.ts';

/**
 * Every HubSpot call attain makes goes through `call()`: it waits for the connection's shared
 * limiter (the worker's Redis one) and this process's own windows (requests per 10 s, searches
 * per second), puts a deadline around the call, and retries 429s after Retry-After (telling the
 * shared limiter to back off) and 5xx/network failures with exponential delays. What is left is
 * thrown as an attain error: a daily 429 as ApiBudgetExhaustedError.
 */
export class HubSpotApi {
  readonly apis: HubSpotApis;
  readonly observer = new TransportObserver();
  readonly logger: Logger;
  readonly settings: HubSpotSyncSettings;
  readonly signal: AbortSignal;
  readonly #connectionId: string;
  readonly #shared: CrmRateLimiter;
  readonly #requests: LocalRateLimiter;
  readonly #searches: LocalRateLimiter;

  constructor(options: {
    connectionId: string;
    credentials: HubSpotCredentials;
    rateLimiter: CrmRateLimiter;
    settings: HubSpotSyncSettings;
    logger: Logger;
    signal: AbortSignal;
  }) {
    this.apis = createHubSpotApis(options.credentials, this.observer);
    this.logger = options.logger;
    this.settings = options.settings;
    this.signal = options.signal;
    this.#connectionId = options.connectionId;
    this.#shared = options.rateLimiter;
    this.#requests = new LocalRateLimiter(() => ({
      requests: options.settings.requestsPer10s,
      intervalMs: 10_000,
    }));
    this.#searches = new LocalRateLimiter(() => ({
      requests: options.settings.searchPerSecond,
      intervalMs: 1000,
    }));
  }

  async call<T>(what: string, request: () => Promise<T>, options: { search?: boolean } = {}): Promise<T> {
    const { maxRetries, retryDelayMs, requestTimeoutSeconds } = this.settings;
    for (let attempt = 1; ; attempt++) {
      this.signal.throwIfAborted();
      await this.#shared.acquire(this.#connectionId);
      await this.#requests.acquire(this.#connectionId);
      if (options.search) await this.#searches.acquire(this.#connectionId);
      try {
        return await withDeadline(request(), requestTimeoutSeconds * 1000);
      } catch (error) {
        const classified = classifyHubSpotError(error);
        if (attempt > maxRetries || (classified.kind !== 'rate_limited' && classified.kind !== 'unavailable'))
          throw toAttainError(error, what);
        if (classified.kind === 'rate_limited') {
          const wait = classified.retryAfterMs ?? 10_000;
          await this.#shared.backOff(this.#connectionId, wait);
          await this.#requests.backOff(this.#connectionId, wait);
        } else {
          await sleep(retryDelayMs * 2 ** (attempt - 1), undefined, { signal: this.signal });
        }
        this.logger.warn({ what, attempt, code: classified.code }, 'retrying a HubSpot call');
      }
    }
  }

  /** Server time (from the Date header); the first call of a session learns it. */
  async serverNow(): Promise<Date> {
    if (!this.observer.answered)
      await this.call('a clock check', () => this.apis.owners.getPage(undefined, undefined, 1, false));
    return new Date(Date.now() + this.observer.clockSkewMs);
  }

  apiCalls(): number {
    return this.observer.attempts;
  }

  apiUsage(): ApiUsage | null {
    return this.observer.daily;
  }
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimeoutError(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
