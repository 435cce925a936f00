import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import { SALESFORCE_CATALOG } from '../../connectors/salesforce/catalog.ts';
import { digestJobId, extractJobId, runJobId } from '../../jobs/job-ids.ts';
import { RunProducer } from '../../jobs/run-producer.ts';
import { plannedSchedules } from '../../jobs/scheduler.ts';
import type { Config } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createTestRedisPrefix, REDIS_URL, type TestRedisPrefix } from '../support/redis.ts';
import { salesforceTestConfig } from '../support/stage-context.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 22, 10, minute));

/** RunProducer against real Redis with no worker running: what a tick enqueues, and when it does not. */
describe('RunProducer', () => {
  let redis: TestRedisPrefix;
  let config: Config;
  let first: RunProducer;
  let replica: RunProducer;
  let roots: Queue;

  beforeAll(() => {
    redis = createTestRedisPrefix();
    config = salesforceTestConfig({
      id: 'sf',
      extra: {
        queue: { prefix: redis.prefix },
        schedules: { sync: '*/15 * * * *', fullRefresh: '0 3 * * *', timezone: 'UTC' },
        digests: {
          slack: { webhookUrl: 'http://127.0.0.1:9/hook' },
          schedules: [{ name: 'weekly', cron: '0 8 * * 1', recipients: 'org', channels: ['slack'] }],
        },
      },
    });
    first = new RunProducer(config, REDIS_URL, silentLogger);
    replica = new RunProducer(config, REDIS_URL, silentLogger);
    roots = first.queues.get('writeback')!;
  });

  afterAll(async () => {
    await first.close();
    await replica.close();
    await redis.cleanup();
  });

  const finish = (minute: number) => roots.remove(runJobId('sf', at(minute)), { removeChildren: true });

  it('enqueues a slot once, however many replicas tick', async () => {
    const sf = config.connections[0]!;
    const results = await Promise.all([first, replica, first].map((p) => p.enqueueRun(sf, at(0), 'sync')));
    expect(results.map((r) => r.outcome).sort()).toEqual(['duplicate', 'duplicate', 'enqueued']);
    expect(await roots.getJobState(runJobId('sf', at(0)))).toBe('waiting-children');
    const extracts = first.queues.get('extract')!;
    expect(await extracts.getJobCountByTypes('waiting')).toBe(SALESFORCE_CATALOG.length);
    expect((await extracts.getJob(extractJobId('sf', 'Opportunity', at(0))))!.data).toEqual({
      connectionId: 'sf',
      slot: at(0).toISOString(),
      kind: 'sync',
      object: 'Opportunity',
    });
  });

  it('skips a tick while the previous run is going, and remembers a skipped full refresh', async () => {
    const sf = config.connections[0]!;
    expect((await replica.enqueueRun(sf, at(15), 'sync')).outcome).toBe('skipped_running');
    expect((await first.enqueueRun(sf, at(30), 'full')).outcome).toBe('skipped_running');
    expect(await roots.getJob(runJobId('sf', at(15)))).toBeUndefined();

    await finish(0);
    // The next tick that runs is the full refresh that was skipped…
    expect(await replica.enqueueRun(sf, at(45), 'sync')).toMatchObject({ outcome: 'enqueued', kind: 'full' });
    expect((await roots.getJob(runJobId('sf', at(45))))!.data.kind).toBe('full');
    await finish(45);
    // …and only that one.
    expect(await first.enqueueRun(sf, at(60), 'sync')).toMatchObject({ outcome: 'enqueued', kind: 'sync' });
    await finish(60);
  });

  it('makes a sync tick that coincides with the full-refresh schedule the full run of that slot', async () => {
    const schedules = plannedSchedules(config, first);
    expect(schedules.map((s) => [s.name, s.cron, s.timezone])).toEqual([
      ['sync sf', '*/15 * * * *', 'UTC'],
      ['full-refresh sf', '0 3 * * *', 'UTC'],
      ['digest weekly', '0 8 * * 1', 'America/New_York'],
    ]);
    const threeAm = new Date('2026-11-23T03:00:00Z');
    const [sync, full] = await Promise.all([schedules[0]!.fire(threeAm), schedules[1]!.fire(threeAm)]);
    expect([sync.outcome, full.outcome].sort()).toEqual(['duplicate', 'enqueued']);
    expect((await roots.getJob(runJobId('sf', threeAm)))!.data.kind).toBe('full');
  });

  it('enqueues a digest slot once', async () => {
    const schedules = plannedSchedules(config, replica);
    const monday = new Date('2026-11-23T13:00:00Z');
    const outcomes = await Promise.all([schedules[2]!.fire(monday), schedules[2]!.fire(monday)]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['duplicate', 'enqueued']);
    const job = await first.queues.get('digest')!.getJob(digestJobId('weekly', monday));
    expect(job!.data).toEqual({ connectionId: 'sf', slot: monday.toISOString(), schedule: 'weekly' });
  });
});
