import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../src/logger.ts';

/**
 * Redis connections, with the settings BullMQ requires (docs: going-to-production):
 * - workers: `maxRetriesPerRequest: null`, so a command waits across a Redis restart instead of
 *   failing the job that issued it; ioredis reconnects on its own;
 * - producers (the scheduler's enqueues, metrics, readiness): fail fast with the offline queue off,
 *   so a tick that cannot reach Redis is reported at once and the next tick tries again.
 * Namespacing is BullMQ's `prefix`, never ioredis `keyPrefix` (BullMQ refuses it).
 */

export type RedisRole = 'worker' | 'producer';

function redisOptions(role: RedisRole): {
  maxRetriesPerRequest: number | null;
  enableOfflineQueue?: boolean;
} {
  return role === 'worker'
    ? { maxRetriesPerRequest: null }
    : { maxRetriesPerRequest: 1, enableOfflineQueue: false };
}

/** Options for BullMQ's Queue, Worker and FlowProducer (each opens its own connections). */
export function bullConnection(url: string, role: RedisRole): ConnectionOptions {
  return { url, ...redisOptions(role) };
}

const closing = new WeakSet<Redis>();

/** Disconnects a client made by createRedis, quietly. */
export function closeRedis(client: Redis): void {
  closing.add(client);
  client.disconnect();
}

/** A plain ioredis client for attain's own keys; connection trouble is logged, not thrown. */
export function createRedis(url: string, role: RedisRole, logger: Logger): Redis {
  const client = new Redis(url, redisOptions(role));
  let failing = false;
  const logError = errorLogger('redis', logger);
  client.on('error', (error: Error) => {
    // Closing a client that is still connecting fails its handshake: nothing to report.
    if (closing.has(client)) return;
    failing = true;
    logError(error);
  });
  client.on('ready', () => {
    if (failing) logger.info('redis: connected again');
    failing = false;
  });
  return client;
}

/**
 * An 'error' listener for ioredis clients and BullMQ workers and queues (an emitter without one
 * crashes the process). While Redis is down they repeat the same error on every reconnect
 * attempt: the same message is logged at most once per `quietMs`.
 */
export function errorLogger(what: string, logger: Logger, quietMs = 10_000): (error: Error) => void {
  const lastLogged = new Map<string, number>();
  return (error) => {
    const now = Date.now();
    if (now - (lastLogged.get(error.message) ?? -Infinity) < quietMs) return;
    if (lastLogged.size >= 256) lastLogged.clear();
    lastLogged.set(error.message, now);
    logger.warn({ err: error }, `${what}: ${error.message}`);
  };
}
