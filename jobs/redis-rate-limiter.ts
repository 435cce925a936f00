import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CrmRateLimiter, RateLimit } from '../src/rate-limit.ts';

/**
 * Sliding-window log per connection: a sorted set of request times within the last interval. The
 * clock is Redis's own (TIME), so workers on machines whose clocks disagree still share one window.
 * Returns 0 when the request may go now, else how many milliseconds to wait before asking again.
 * KEYS[1] window, KEYS[2] blocked-until (ms); ARGV limit, interval ms, unique member.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return blocked - now end
local limit = tonumber(ARGV[1])
if limit <= 0 then return 0 end
local interval = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - interval)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], interval)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + interval - now)
`;

/** Moves blocked-until forward (never back) by ARGV[1] ms from Redis's now. KEYS[1] blocked-until. */
const BACK_OFF = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if now + ms > current then redis.call('SET', KEYS[1], now + ms, 'PX', ms) end
return 0
`;

/**
 * The CRM rate limiter every worker process shares: a CRM's limits belong to the account (HubSpot
 * 190 requests per 10 s per portal), so N workers on M machines must draw from one budget, and a
 * 429's Retry-After pauses all of them, not just the process that got it. Keys are
 * `<prefix>:crm-rate:{<connection>}:…` (one hash slot per connection on a Redis Cluster).
 */
export class RedisRateLimiter implements CrmRateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #limits: (connectionId: string) => RateLimit;

  constructor(redis: Redis, prefix: string, limits: (connectionId: string) => RateLimit) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#limits = limits;
  }

  async acquire(connectionId: string): Promise<void> {
    const { requests, intervalMs } = this.#limits(connectionId);
    const member = randomUUID();
    for (;;) {
      const wait = Number(
        await this.#redis.eval(
          ACQUIRE,
          2,
          this.#key(connectionId, 'window'),
          this.#key(connectionId, 'blocked'),
          requests,
          intervalMs,
          member,
        ),
      );
      if (wait <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async backOff(connectionId: string, ms: number): Promise<void> {
    if (ms <= 0) return;
    await this.#redis.eval(BACK_OFF, 1, this.#key(connectionId, 'blocked'), Math.ceil(ms));
  }

  #key(connectionId: string, part: 'window' | 'blocked'): string {
    return `${this.#prefix}:crm-rate:{${connectionId}}:${part}`;
  }
}
