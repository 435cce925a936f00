import { Queue } from 'bullmq';
import type { Logger } from '../src/logger.ts';
import { bullConnection, errorLogger } from './redis-connection.ts';

/**
 * The BullMQ queues, one per stage, so each scales on its own (`attain worker --queues extract`)
 * and gets its own concurrency. Redis keys are `<queue.prefix>:<name>:…`.
 */
export const QUEUE_NAMES = ['extract', 'normalize', 'kpis', 'writeback', 'digest'] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];

export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}

/** A producer-side Queue per name (fail-fast connection): to enqueue, or to read job counts. */
export function openQueues(redisUrl: string, prefix: string, logger: Logger): Map<QueueName, Queue> {
  const connection = bullConnection(redisUrl, 'producer');
  const logError = errorLogger('queue', logger);
  return new Map(
    QUEUE_NAMES.map((name) => {
      const queue = new Queue(name, { connection, prefix });
      queue.on('error', logError);
      return [name, queue] as const;
    }),
  );
}
