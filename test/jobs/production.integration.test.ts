import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/emulator.ts';
import { extractJobId, runJobId } from '../../jobs/job-ids.ts';
import { RunProducer } from '../../jobs/run-producer.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { startSlackSink, type SlackSink } from '../digest/slack-sink.ts';
import { createTestRedisPrefix, REDIS_URL, type TestRedisPrefix } from '../support/redis.ts';
import { differencesFromGroundTruth } from '../support/salesforce.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { logLines, startAttain, type AttainProcess } from '../support/attain-process.ts';
import { FAST_QUEUE, FAST_RECOVERY, writeJobsConfig } from '../support/jobs-config.ts';
import { waitUntil, writeCalls } from '../support/wait.ts';

/**
 * Production mode end to end: two `attain scheduler` and two `attain worker` processes against
 * real Redis and PostgreSQL and two emulated Salesforce orgs. `sf` runs on a 3-second schedule
 * with a digest every 4 seconds; `slow` (many small pages) is enqueued by hand to crash a worker
 * in the middle of its extract.
 */
describe('attain worker and attain scheduler, several of each', () => {
  let sf: SalesforceEmulator;
  let slow: SalesforceEmulator;
  let database: TestDatabase;
  let redis: TestRedisPrefix;
  let slack: SlackSink;
  let producer: RunProducer;
  let config: Config;
  let env: NodeJS.ProcessEnv;
  const workers: AttainProcess[] = [];
  const connection = (id: string) => config.connections.find((candidate) => candidate.id === id)!;
  const schedulers: AttainProcess[] = [];

  beforeAll(async () => {
    [sf, slow, database, slack] = await Promise.all([
      startSalesforceEmulator({ seed: 3, scale: 3, queryPageSize: 100, latencyMs: 5 }),
      startSalesforceEmulator({ seed: 4, scale: 3, queryPageSize: 10, latencyMs: 25 }),
      createTestDatabase(),
      startSlackSink('/services/T1/B1/jobsTestWebhookSecret'),
    ]);
    redis = createTestRedisPrefix();
    const { file, env: secrets } = writeJobsConfig(
      {
        // The default rate limit (25 requests a second, shared by both workers) applies to sf.
        sf: { emulator: sf },
        slow: { emulator: slow, options: { rateLimit: { requests: 0, intervalSeconds: 1 } } },
        // The same org, with an API budget that one request uses up…
        thrifty: { emulator: sf, sync: { maxDailyApiShare: 0.0001 } },
        // …and with a client secret it does not accept.
        locked: {
          emulator: sf,
          options: {
            salesforce: {
              loginUrl: sf.url,
              clientId: sf.credentials.clientId,
              clientSecret: 'not-the-secret-4417',
            },
          },
        },
      },
      {
        schedules: {
          sync: '*/3 * * * * *',
          connections: { slow: { sync: null }, thrifty: { sync: null }, locked: { sync: null } },
        },
        digests: {
          slack: { webhookUrl: slack.url },
          // No in-call retries: a failed send is retried by BullMQ.
          retry: { attempts: 1, minDelayMs: 0, maxDelayMs: 0 },
          schedules: [
            {
              name: 'org-pulse',
              connection: 'sf',
              cron: '*/4 * * * * *',
              recipients: 'org',
              channels: ['slack'],
            },
          ],
        },
        worker: { ...FAST_RECOVERY, httpPort: 0, concurrency: { extract: 3 } },
        scheduler: { httpPort: 0 },
        queue: { ...FAST_QUEUE, prefix: redis.prefix },
      },
    );
    env = {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      REDIS_URL,
      ATTAIN_CONFIG: file,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ...secrets,
    };
    config = loadConfig(file, env).config;
    producer = new RunProducer(config, REDIS_URL, silentLogger);
    for (let i = 0; i < 2; i++) workers.push(startAttain(['worker', '--http-port', '0'], env));
    // Workers migrate and start first; then both schedulers.
    await Promise.all(workers.map((worker) => worker.port()));
    for (let i = 0; i < 2; i++) schedulers.push(startAttain(['scheduler', '--http-port', '0'], env));
    await Promise.all(schedulers.map((scheduler) => scheduler.port()));
  });

  afterAll(async () => {
    await Promise.all([...workers, ...schedulers].map((child) => child.stop('SIGKILL')));
    await producer?.close();
    await redis?.cleanup();
    await Promise.all([database?.drop(), sf?.stop(), slow?.stop(), slack?.close()]);
  });

  it('runs every scheduled slot end to end exactly once, never two runs of a connection at once', async () => {
    const runsOf = async (connection: string) =>
      (
        await sql<{
          id: number;
          status: string;
          slot: string;
          started: Date;
          finished: Date;
          children: number[];
        }>`
          SELECT id, status, report->>'slot' AS slot, started_at AS started, finished_at AS finished,
                 ARRAY(SELECT c.id FROM runs c WHERE c.parent_run_id = r.id ORDER BY c.id) AS children
          FROM runs r WHERE stage = 'run' AND connection_id = ${connection} ORDER BY started_at`.execute(
          database.db,
        )
      ).rows;
    // The first digest post fails: its job is retried and the slot still gets exactly one message.
    slack.failNext(1, 500, 'server_error');
    await waitUntil(async () => (await runsOf('sf')).length >= 3, 45_000, 'three scheduled runs of sf');
    await waitUntil(async () => slack.received.length >= 2, 20_000, 'two digests');
    const stopped = await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    expect(stopped.map((exit) => exit.code)).toEqual([0, 0]);
    await waitUntil(
      async () => {
        const counts = await Promise.all(
          [...producer.queues.values()].map((queue) =>
            queue.getJobCounts('waiting', 'active', 'delayed', 'waiting-children'),
          ),
        );
        return counts.every((byState) => Object.values(byState).every((n) => n === 0));
      },
      30_000,
      'queues to drain',
    );

    // What the schedulers did, from their logs: per slot, one replica enqueued it and the other
    // found it there; a tick during a run still going enqueued nothing.
    const ticks = schedulers.flatMap((scheduler) =>
      logLines(scheduler.output()).filter((line) => typeof line.schedule === 'string' && 'outcome' in line),
    );
    const enqueued = (name: string) =>
      ticks
        .filter((tick) => tick.schedule === name && tick.outcome === 'enqueued')
        .map((tick) => String(tick.slot));
    const runSlots = enqueued('sync sf');
    expect(new Set(runSlots).size).toBe(runSlots.length);
    expect(ticks.some((tick) => tick.schedule === 'sync sf' && tick.outcome === 'duplicate')).toBe(true);
    expect(ticks.filter((tick) => tick.outcome === 'error')).toEqual([]);

    const runs = await runsOf('sf');
    expect(runs.map((run) => run.slot).sort()).toEqual([...runSlots].sort());
    expect(runs.every((run) => run.status === 'succeeded')).toBe(true);
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.started >= runs[i - 1]!.finished).toBe(true);
    // Each run: one sync run per object, then one normalize, kpis and writeback.
    const stages = await sql<{ parent: number; stage: string; n: number }>`
      SELECT parent_run_id AS parent, stage, count(*)::int AS n FROM runs
      WHERE connection_id = 'sf' AND parent_run_id IS NOT NULL GROUP BY 1, 2`.execute(database.db);
    for (const run of runs) {
      const of = Object.fromEntries(
        stages.rows.filter((row) => row.parent === run.id).map((row) => [row.stage, row.n]),
      );
      expect(of).toEqual({ sync: 12, normalize: 1, kpis: 1, writeback: 1 });
    }
    // No stage run outside a scheduled run, none failed.
    const loose = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM runs WHERE connection_id = 'sf' AND stage <> 'run' AND parent_run_id IS NULL
        AND stage <> 'digest'`.execute(database.db);
    expect(loose.rows[0]!.n).toBe(0);

    expect(await differencesFromGroundTruth(database.db, sf, 'sf')).toEqual([]);
    // Attainment was written once: the later runs found nothing changed.
    const written = writeCalls(sf).flatMap((call) => call.ids);
    expect(written.length).toBeGreaterThan(0);
    expect(new Set(written).size).toBe(written.length);

    // Digests: one Slack message per digest slot, however many replicas and retries.
    const digestSlots = enqueued('digest org-pulse');
    expect(new Set(digestSlots).size).toBe(digestSlots.length);
    const sent = await sql<{ slot: Date; n: number }>`
      SELECT slot, count(*)::int AS n FROM digest_log WHERE status = 'sent' GROUP BY slot`.execute(
      database.db,
    );
    expect(sent.rows.every((row) => row.n === 1)).toBe(true);
    expect(slack.received.length).toBe(sent.rows.length);
    const digestFailures = workers.flatMap((worker) =>
      logLines(worker.output()).filter((line) => line.queue === 'digest' && line.msg === 'job failed'),
    );
    expect(digestFailures.map((line) => JSON.stringify(line.err))).toContainEqual(
      expect.stringContaining('no digest could be sent'),
    );
    expect(sent.rows.length).toBeGreaterThanOrEqual(2);
  });

  it('serves /healthz, /readyz and Prometheus /metrics on every worker', async () => {
    const port = await workers[0]!.port();
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      ready: true,
      checks: [
        { name: 'redis', ok: true },
        { name: 'postgres', ok: true },
      ],
    });
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const metrics = await response.text();
    for (const series of [
      /^attain_queue_jobs\{queue="extract",state="completed"\} \d+$/m,
      /^attain_job_duration_seconds_count\{queue="(extract|normalize|kpis|writeback|digest)",outcome="completed"\} \d+$/m,
      /^attain_cursor_lag_seconds\{connection="sf",object="Opportunity"\} [\d.]+$/m,
      /^attain_crm_api_daily_used\{connection="sf"\} \d+$/m,
      /^attain_crm_api_daily_limit\{connection="sf"\} 15000$/m,
      /^# TYPE attain_records_extracted_total counter$/m,
      /^# TYPE attain_writeback_rows_total counter$/m,
      /^attain_metrics_collector_up\{collector="queues"\} 1$/m,
    ])
      expect(metrics).toMatch(series);
    // Counters of both workers add up to what was extracted.
    const extracted = await Promise.all(
      workers.map(async (worker) => {
        const text = await (await fetch(`http://127.0.0.1:${await worker.port()}/metrics`)).text();
        return [...text.matchAll(/^attain_records_extracted_total\{connection="sf",[^}]*\} (\d+)$/gm)].reduce(
          (total, match) => total + Number(match[1]),
          0,
        );
      }),
    );
    const reported = await sql<{ n: number }>`
      SELECT coalesce(sum((counts->>'records')::int), 0)::int AS n FROM runs
      WHERE connection_id = 'sf' AND stage = 'sync'`.execute(database.db);
    expect(extracted[0]! + extracted[1]!).toBe(reported.rows[0]!.n);
  });

  it('picks up the extract of a worker killed with SIGKILL, and writes back once', async () => {
    const slot = new Date(Math.floor(Date.now() / 1000) * 1000);
    const roots = producer.queues.get('writeback')!;
    slow.store.requestLog.reset();
    expect((await producer.enqueueRun(connection('slow'), slot, 'sync')).outcome).toBe('enqueued');
    // Kill the worker that is extracting, once it has stored a few pages.
    await waitUntil(
      async () => {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM crm_records WHERE connection_id = 'slow' AND object = 'Task'`.execute(
          database.db,
        );
        return rows[0]!.n >= 50;
      },
      20_000,
      'the Task extract to be under way',
    );
    const victim = workers.find((worker) => /"jobId":"extract-slow-Task-/.test(worker.output()))!;
    const survivor = workers.find((worker) => worker !== victim)!;
    expect((await victim.stop('SIGKILL')).signal).toBe('SIGKILL');

    const rootId = runJobId('slow', slot);
    await waitUntil(
      async () => (await roots.getJobState(rootId)) === 'completed',
      45_000,
      'the run to finish',
    );
    expect(survivor.output()).toMatch(/job stalled/);
    // The next run lands the echo of the run's own writeback (User SystemModstamp moved).
    const next = new Date(slot.getTime() + 1000);
    await producer.enqueueRun(connection('slow'), next, 'sync');
    await waitUntil(
      async () => (await roots.getJobState(runJobId('slow', next))) === 'completed',
      20_000,
      'the next run to finish',
    );
    expect(await differencesFromGroundTruth(database.db, slow, 'slow')).toEqual([]);
    const audit = await sql<{ stage: string; status: string; n: number }>`
      SELECT stage, status, count(*)::int AS n FROM runs WHERE connection_id = 'slow' GROUP BY 1, 2`.execute(
      database.db,
    );
    const count = (stage: string, status: string) =>
      audit.rows.find((row) => row.stage === stage && row.status === status)?.n ?? 0;
    // The killed worker's stage runs stay 'running' (honest about what happened); one writeback.
    expect(count('sync', 'running')).toBeGreaterThanOrEqual(1);
    expect(count('run', 'succeeded')).toBe(2);
    expect(count('writeback', 'succeeded')).toBe(2);
    const written = writeCalls(slow).flatMap((call) => call.ids);
    expect(written.length).toBeGreaterThan(0);
    expect(new Set(written).size).toBe(written.length);
  });

  it('ends a run that hits the API budget as budget_stopped, not failed, and skips writeback', async () => {
    const slot = new Date(Math.floor(Date.now() / 1000) * 1000);
    await producer.enqueueRun(connection('thrifty'), slot, 'sync');
    const roots = producer.queues.get('writeback')!;
    await waitUntil(
      async () => (await roots.getJobState(runJobId('thrifty', slot))) === 'completed',
      20_000,
      'the run to finish',
    );
    const runs = await sql<{ stage: string; status: string; skipped: string | null }>`
      SELECT stage, status, report->>'writebackSkipped' AS skipped FROM runs
      WHERE connection_id = 'thrifty' AND stage IN ('run', 'writeback')`.execute(database.db);
    expect(runs.rows).toEqual([
      {
        stage: 'run',
        status: 'budget_stopped',
        skipped: 'the API budget is used up; the next run writes back',
      },
    ]);
    const extracts = await sql<{ status: string; n: number }>`
      SELECT status, count(*)::int AS n FROM runs WHERE connection_id = 'thrifty' AND stage = 'sync'
      GROUP BY 1`.execute(database.db);
    expect(extracts.rows.map((row) => row.status)).toContain('budget_stopped');
    expect(extracts.rows.map((row) => row.status)).not.toContain('failed');
  });

  it('fails a run at once, without retries, when the CRM rejects the credentials', async () => {
    const slot = new Date(Math.floor(Date.now() / 1000) * 1000);
    await producer.enqueueRun(connection('locked'), slot, 'sync');
    const roots = producer.queues.get('writeback')!;
    await waitUntil(
      async () => (await roots.getJobState(runJobId('locked', slot))) === 'failed',
      20_000,
      'the run to fail',
    );
    const extract = await producer.queues.get('extract')!.getJob(extractJobId('locked', 'User', slot));
    expect(await extract!.getState()).toBe('failed');
    expect(extract!.attemptsMade).toBe(1);
    expect(extract!.failedReason).toMatch(/^CrmAuthError: Salesforce/);
    expect(extract!.failedReason).not.toContain('not-the-secret-4417');
  });
});
