import { FlowProducer, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config, ConnectionConfig } from '../src/config.ts';
import type { Logger } from '../src/logger.ts';
import { digestPayloadSchema, type RunKind } from './catalog.ts';
import { digestJobId, runJobId } from './job-ids.ts';
import { bullConnection, closeRedis, createRedis, errorLogger } from './redis-connection.ts';
import { openQueues, type QueueName } from './queues.ts';
import { buildRunFlow, jobOptions } from './run-flow.ts';

export interface EnqueueResult {
  /**
   * enqueued: this call added the jobs; duplicate: they exist already (another scheduler replica,
   * or the other schedule of the same slot, was first); skipped_running: the connection's previous
   * run has not finished, so this slot is left out rather than run twice at once.
   */
  outcome: 'enqueued' | 'duplicate' | 'skipped_running';
  jobId: string;
  kind?: RunKind;
}

/** States in which a run's root job means "this run is still going". */
const UNFINISHED = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/** Stores ARGV[1] in KEYS[1] unless the value there sorts after it: "latest" only moves forward. */
const SET_IF_LATER = `
local current = redis.call('GET', KEYS[1])
if (not current) or current < ARGV[1] then redis.call('SET', KEYS[1], ARGV[1]) end
return 0
`;

/**
 * Enqueues scheduled work; safe to call from any number of scheduler replicas at once.
 *
 * One run per slot: every job of a (connection, slot) run has a deterministic id, BullMQ adds an
 * existing id as a no-op, and finished jobs are kept for `queue.keepCompletedSeconds`, so a replica
 * that fires late finds them. A claim key (SET NX) only decides which replica reports 'enqueued'.
 *
 * No overlapping runs: each connection's latest slot is kept in Redis; a tick whose previous run's
 * root job is still unfinished is skipped. Replicas racing on the check cannot double a run either:
 * whichever of them adds the flow, they add the same ids. A full refresh that has to be skipped is
 * remembered and done by the next tick that runs.
 */
export class RunProducer {
  readonly queues: ReadonlyMap<QueueName, Queue>;
  readonly #config: Config;
  readonly #redis: Redis;
  readonly #flows: FlowProducer;

  constructor(config: Config, redisUrl: string, logger: Logger) {
    this.#config = config;
    this.queues = openQueues(redisUrl, config.queue.prefix, logger);
    this.#flows = new FlowProducer({
      connection: bullConnection(redisUrl, 'producer'),
      prefix: config.queue.prefix,
    });
    this.#flows.on('error', errorLogger('flow producer', logger));
    this.#redis = createRedis(redisUrl, 'producer', logger);
  }

  /** The redis client for readiness checks. */
  get redis(): Redis {
    return this.#redis;
  }

  async enqueueRun(connection: ConnectionConfig, slot: Date, tick: RunKind): Promise<EnqueueResult> {
    const jobId = runJobId(connection.id, slot);
    const root = this.#queue('writeback');
    if (await root.getJob(jobId)) return { outcome: 'duplicate', jobId };
    const latest = await this.#redis.get(this.#key(connection.id, 'latest'));
    if (latest !== null && latest !== slot.toISOString()) {
      const state = await root.getJobState(runJobId(connection.id, new Date(latest)));
      if (UNFINISHED.has(state)) {
        if (tick === 'full')
          await this.#redis.set(this.#key(connection.id, 'full-pending'), slot.toISOString());
        return { outcome: 'skipped_running', jobId };
      }
    }
    const kind: RunKind =
      tick === 'full' || (await this.#redis.exists(this.#key(connection.id, 'full-pending')))
        ? 'full'
        : 'sync';
    // Only the first replica to claim the slot reports it enqueued; the others add the same flow
    // anyway (a no-op), so the slot still runs if the first one dies before adding it.
    const claimed = await this.#claim(jobId);
    await this.#flows.add(buildRunFlow(this.#config, connection, slot, kind));
    await this.#redis.eval(SET_IF_LATER, 1, this.#key(connection.id, 'latest'), slot.toISOString());
    if (kind === 'full') await this.#redis.del(this.#key(connection.id, 'full-pending'));
    return { outcome: claimed ? 'enqueued' : 'duplicate', jobId, kind };
  }

  /** One digest slot; digest_log keeps each send to once per slot whatever happens to the job. */
  async enqueueDigest(schedule: string, connection: ConnectionConfig, slot: Date): Promise<EnqueueResult> {
    const jobId = digestJobId(schedule, slot);
    const queue = this.#queue('digest');
    if (await queue.getJob(jobId)) return { outcome: 'duplicate', jobId };
    const payload = digestPayloadSchema.parse({
      connectionId: connection.id,
      slot: slot.toISOString(),
      schedule,
    });
    const claimed = await this.#claim(jobId);
    await queue.add('digest', payload, { ...jobOptions(this.#config.queue), jobId });
    return { outcome: claimed ? 'enqueued' : 'duplicate', jobId };
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      ...[...this.queues.values()].map((queue) => queue.close()),
      this.#flows.close(),
    ]);
    closeRedis(this.#redis);
  }

  /** True for the first caller with this job id (for as long as finished jobs are kept). */
  async #claim(jobId: string): Promise<boolean> {
    const key = `${this.#config.queue.prefix}:claims:${jobId}`;
    return (await this.#redis.set(key, '1', 'EX', this.#config.queue.keepCompletedSeconds, 'NX')) === 'OK';
  }

  #queue(name: QueueName): Queue {
    return this.queues.get(name)!;
  }

  #key(connectionId: string, part: 'latest' | 'full-pending'): string {
    return `${this.#config.queue.prefix}:runs:{${connectionId}}:${part}`;
  }
}
