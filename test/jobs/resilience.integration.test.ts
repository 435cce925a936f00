import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/emulator.ts';
import { catalogObject, SALESFORCE_CATALOG } from '../../connectors/salesforce/catalog.ts';
import { soqlDateTime, soqlString } from '../../connectors/salesforce/soql.ts';
import { extractJobId, runJobId } from '../../jobs/job-ids.ts';
import { RunProducer } from '../../jobs/run-producer.ts';
import { loadConfig, type Config, type ConnectionConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { ADMIN_URL } from '../support/postgres.ts';
import { differencesFromGroundTruth } from '../support/salesforce.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { logLines, startAttain, type AttainProcess } from '../support/attain-process.ts';
import { FAST_QUEUE, FAST_RECOVERY, writeJobsConfig } from '../support/jobs-config.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { waitUntil } from '../support/wait.ts';

/**
 * A worker process through outages: its own Redis restarted, PostgreSQL (behind a proxy) refusing
 * connections, and SIGTERM in the middle of an extract. `main` and `fresh` are two connections to
 * the same emulated org (writeback off: these tests are about extraction and recovery).
 */
describe('a worker through outages and shutdown', () => {
  let emulator: SalesforceEmulator;
  let database: TestDatabase;
  let redis: PrivateRedis;
  let proxy: TcpProxy;
  let config: Config;
  let producer: RunProducer;
  let env: NodeJS.ProcessEnv;
  let worker: AttainProcess;

  const connection = (id: string): ConnectionConfig => config.connections.find((c) => c.id === id)!;
  const rootState = (id: string, slot: Date) =>
    producer.queues.get('writeback')!.getJobState(runJobId(id, slot));
  const landed = async (id: string, object: string) =>
    (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM crm_records
        WHERE connection_id = ${id} AND object = ${object}`.execute(database.db)
    ).rows[0]!.n;

  beforeAll(async () => {
    [emulator, database, redis] = await Promise.all([
      startSalesforceEmulator({ seed: 6, scale: 3, queryPageSize: 10, latencyMs: 15 }),
      createTestDatabase(),
      startPrivateRedis(),
    ]);
    const admin = new URL(ADMIN_URL);
    proxy = await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    const noWriteback = { rateLimit: { requests: 0, intervalSeconds: 1 }, writeback: { enabled: false } };
    const { file, env: secrets } = writeJobsConfig(
      { main: { emulator, options: noWriteback }, fresh: { emulator, options: noWriteback } },
      {
        worker: { ...FAST_RECOVERY, httpPort: 0 },
        queue: { ...FAST_QUEUE, prefix: 'attain-resilience' },
      },
    );
    env = {
      PATH: process.env.PATH,
      DATABASE_URL: viaProxy.toString(),
      REDIS_URL: redis.url,
      ATTAIN_CONFIG: file,
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      ...secrets,
    };
    config = loadConfig(file, env).config;
    producer = new RunProducer(config, redis.url, silentLogger);
    worker = startAttain(['worker', '--http-port', '0'], env);
    await worker.port();
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await producer?.close();
    await Promise.all([redis?.stop(), proxy?.close(), database?.drop(), emulator?.stop()]);
  });

  it('reconnects after Redis restarts in the middle of a run, and completes it', async () => {
    const slot = new Date('2026-01-01T00:00:00Z');
    await producer.enqueueRun(connection('main'), slot, 'sync');
    await waitUntil(
      async () => (await landed('main', 'Task')) >= 40,
      20_000,
      'the Task extract to be under way',
    );
    await redis.restart(1000);
    await waitUntil(async () => (await rootState('main', slot)) === 'completed', 45_000, 'the run to finish');
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output()).toMatch(/redis: connected again/);
    expect(await differencesFromGroundTruth(database.db, emulator, 'main')).toEqual([]);
    const ready = await fetch(`http://127.0.0.1:${await worker.port()}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('retries when PostgreSQL refuses connections, and leaves nothing half-written', async () => {
    const slot = new Date('2026-01-01T00:01:00Z');
    const started = new Date();
    await producer.enqueueRun(connection('main'), slot, 'full');
    await waitUntil(
      async () => {
        const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM runs
          WHERE connection_id = 'main' AND stage = 'sync' AND started_at >= ${started}`.execute(database.db);
        return rows[0]!.n >= 3;
      },
      20_000,
      'the full extract to be under way',
    );
    const port = await worker.port();
    const outage = proxy.refuse(3000);
    await waitUntil(
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 503,
      3000,
      'not ready',
    );
    await outage;
    await waitUntil(async () => (await rootState('main', slot)) === 'completed', 60_000, 'the run to finish');
    // Some job failed on the outage and was tried again.
    const jobs = await Promise.all(
      SALESFORCE_CATALOG.map((entry) =>
        producer.queues.get('extract')!.getJob(extractJobId('main', entry.name, slot)),
      ),
    );
    expect(jobs.some((job) => (job?.attemptsMade ?? 0) > 0)).toBe(true);
    expect(await differencesFromGroundTruth(database.db, emulator, 'main')).toEqual([]);
    const counts = await sql<{ landed: number; canonical: number }>`
      SELECT (SELECT count(*) FROM crm_records WHERE connection_id = 'main' AND object = 'Opportunity')::int AS landed,
             (SELECT count(*) FROM opportunities WHERE connection_id = 'main')::int AS canonical`.execute(
      database.db,
    );
    expect(counts.rows[0]!.canonical).toBe(counts.rows[0]!.landed);
  });

  it('on SIGTERM stops after the current page, exits 0 in time, and the next worker continues from the cursor', async () => {
    const slot = new Date('2026-01-01T00:02:00Z');
    await producer.enqueueRun(connection('fresh'), slot, 'sync');
    await waitUntil(
      async () => (await landed('fresh', 'Task')) >= 40,
      20_000,
      'the Task extract to be under way',
    );
    const signalled = Date.now();
    const exit = await worker.stop('SIGTERM');
    const seconds = (Date.now() - signalled) / 1000;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(seconds).toBeLessThan(FAST_RECOVERY.shutdownTimeoutSeconds);
    expect(worker.output()).toMatch(/job stopped at a safe point and handed back/);

    // The interrupted extracts: back in the queue, and the cursor of each covers exactly the
    // records stored — no more, no fewer.
    const handedBack = logLines(worker.output())
      .filter((line) => line.msg === 'job stopped at a safe point and handed back')
      .map((line) => String(line.jobId).split('-')[2]!);
    expect(handedBack).toContain('Task');
    const storedAtStop = new Map<string, number>();
    for (const object of handedBack) {
      expect(await producer.queues.get('extract')!.getJobState(extractJobId('fresh', object, slot))).toBe(
        'waiting',
      );
      const state = await database.db
        .selectFrom('sync_state')
        .select(['watermark', 'cursor'])
        .where('connection_id', '=', 'fresh')
        .where('object', '=', object)
        .executeTakeFirst();
      // What the checkpoint says is stored — everything below the watermark, and in the window
      // being read everything up to `after` — asked of the org itself, in its own order.
      const after = state?.cursor.after as { modstamp: string; id: string } | null | undefined;
      const ranges = [
        ...(state?.watermark ? [`SystemModstamp < ${soqlDateTime(state.watermark)}`] : []),
        ...(after
          ? [
              `SystemModstamp < ${soqlDateTime(after.modstamp)}`,
              `(SystemModstamp = ${soqlDateTime(after.modstamp)} AND Id <= ${soqlString(after.id)})`,
            ]
          : []),
      ];
      const where = catalogObject(object).where;
      const covered =
        ranges.length === 0
          ? []
          : emulator.store.query(
              `SELECT Id FROM ${object} WHERE (${ranges.join(' OR ')})${where ? ` AND (${where})` : ''}`,
              { scanAll: true },
            );
      const stored = await database.db
        .selectFrom('crm_records')
        .select('crm_id')
        .where('connection_id', '=', 'fresh')
        .where('object', '=', object)
        .execute();
      expect(stored.map((row) => row.crm_id).sort()).toEqual(
        covered.map((record) => String(record.Id)).sort(),
      );
      storedAtStop.set(object, stored.length);
    }

    worker = startAttain(['worker', '--http-port', '0'], env);
    await waitUntil(
      async () => (await rootState('fresh', slot)) === 'completed',
      45_000,
      'the run to finish',
    );
    expect(await differencesFromGroundTruth(database.db, emulator, 'fresh')).toEqual([]);
    // Continued, not restarted: the resumed extract read only what had not been stored.
    for (const [object, stored] of storedAtStop) {
      const resumed = await sql<{ records: number }>`
        SELECT (report->'objects'->0->>'records')::int AS records FROM runs
        WHERE connection_id = 'fresh' AND stage = 'sync' AND status = 'succeeded'
          AND report->'objects'->0->>'object' = ${object}`.execute(database.db);
      expect(
        resumed.rows.map((row) => row.records),
        object,
      ).toEqual([orgCount(emulator, object) - stored]);
    }
  });
});

/** How many records of `object` attain extracts from the org (deleted ones included). */
function orgCount(emulator: SalesforceEmulator, object: string): number {
  const where = catalogObject(object).where;
  return emulator.store.query(`SELECT Id FROM ${object}${where ? ` WHERE ${where}` : ''}`, { scanAll: true })
    .length;
}
