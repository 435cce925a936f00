import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../jobs/redis-rate-limiter.ts';
import { createTestRedisPrefix, REDIS_URL, type TestRedisPrefix } from '../support/redis.ts';

/**
 * Two limiters on two Redis connections stand for two worker processes: the limit is the
 * account's, so together they get no more than it allows.
 */
describe('RedisRateLimiter', () => {
  let redis: TestRedisPrefix;
  let clients: Redis[];
  let limiters: RedisRateLimiter[];

  beforeAll(() => {
    redis = createTestRedisPrefix();
    clients = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
    limiters = clients.map(
      (client) =>
        new RedisRateLimiter(client, redis.prefix, (connectionId) =>
          connectionId === 'open' ? { requests: 0, intervalMs: 1000 } : { requests: 5, intervalMs: 400 },
        ),
    );
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis.cleanup();
  });

  it('shares one sliding window between processes', async () => {
    const started = Date.now();
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        limiters[i % 2]!.acquire('sf').then(() => granted.push(Date.now() - started)),
      ),
    );
    granted.sort((a, b) => a - b);
    // 5 at once, the next 5 a window later, the last 2 a window after that.
    expect(granted[5]!).toBeGreaterThanOrEqual(390);
    expect(granted[10]!).toBeGreaterThanOrEqual(790);
    // No window of 400 ms ever held more than 5 grants.
    for (let i = 5; i < granted.length; i++)
      expect(granted[i]! - granted[i - 5]!).toBeGreaterThanOrEqual(390);
  });

  it('keeps every process away from a CRM that asked to back off, and leaves other connections alone', async () => {
    await limiters[0]!.backOff('sf', 500);
    const started = Date.now();
    await Promise.all([limiters[1]!.acquire('open'), limiters[1]!.acquire('other')]);
    expect(Date.now() - started).toBeLessThan(450);
    await limiters[1]!.acquire('sf');
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });
});
