import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { connectorFor } from '../connectors/registry.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { parseConfig } from '../src/config.ts';
import { syncConnection } from '../src/extract/sync-stage.ts';
import { computeKpis } from '../src/kpi/compute-kpis.ts';
import { silentLogger } from '../src/logger.ts';
import { normalizeConnection } from '../src/normalize/normalize-stage.ts';
import { unlimited } from '../src/rate-limit.ts';
import type { StageContext } from '../src/stage.ts';
import { writeback } from '../src/writeback/writeback-stage.ts';
import { benchDatabase, dropBenchDatabase } from './support.ts';

export type Provider = 'salesforce' | 'hubspot';

export interface Measurement {
  provider: Provider;
  scale: number;
  records: number;
  backfillSeconds: number;
  backfillRecordsPerSecond: number;
  backfillApiCalls: number;
  copyRecordsPerSecond: number;
  normalizeSeconds: number;
  kpiFullSeconds: number;
  kpiRows: number;
  writebackRecords: number;
  writebackCalls: number;
  writebackMinimum: number;
  changedOpportunities: number;
  incrementalApiCalls: number;
  incrementalMinimum: number;
  kpiIncrementalSeconds: number;
  incrementalWritebackRecords: number;
  incrementalWritebackCalls: number;
  incrementalWritebackMinimum: number;
  /** Highest resident memory of this process while measuring (MB). */
  peakRssMb: number;
}

/** Per provider: page sizes and how an opportunity is changed through the emulator's control API. */
const PROVIDERS: Record<
  Provider,
  {
    pageSize: number;
    writeBatch: number;
    dealObject: string;
    change: (id: string, n: number) => Record<string, unknown>;
  }
> = {
  salesforce: {
    pageSize: 2000,
    writeBatch: 200,
    dealObject: 'Opportunity',
    change: (id, n) => ({ op: 'update', object: 'Opportunity', id, fields: { Amount: 10_000 + n } }),
  },
  hubspot: {
    pageSize: 200,
    writeBatch: 100,
    dealObject: 'deals',
    change: (id, n) => ({ op: 'update', object: 'deals', id, properties: { amount: String(10_000 + n) } }),
  },
};

/**
 * One provider at one scale, through the real stage functions, with the CRM emulated in its own
 * process (a remote CRM does not share our CPU): backfill (vs PostgreSQL COPY of the same rows),
 * normalize, a full KPI compute, the first writeback; then 1% of opportunities change in the CRM
 * and an incremental sync, KPI recompute and writeback follow.
 */
export async function measure(
  provider: Provider,
  scale: number,
  options: { keepDatabase?: boolean } = {},
): Promise<Measurement> {
  const spec = PROVIDERS[provider];
  const emulator = await startEmulatorProcess(provider, scale);
  const database = await benchDatabase(`${provider.slice(0, 2)}_${scale}`);
  const db = await openDatabase({ url: database.url, poolSize: 4 });
  const memory = sampleRss();
  try {
    await migrateToLatest(db.db);
    const ctx = contextFor(db.db, provider, emulator.connection);
    if (provider === 'hubspot') await connectorFor('hubspot').setUp?.(ctx);

    const backfill = await timed(() => syncConnection(ctx));
    const records = backfill.value.counts.records ?? 0;
    const copyRecordsPerSecond = await copyRate(database.url, records);
    const normalize = await timed(() => normalizeConnection(ctx));
    const kpis = await timed(() => computeKpis(ctx, { full: true }));
    const first = await writeback(ctx);

    // 1% of the opportunities change in the CRM (another user edits amounts).
    const opportunities = await db.db
      .selectFrom('crm_records')
      .select('crm_id')
      .where('object', '=', spec.dealObject)
      .where('is_deleted', '=', false)
      .orderBy('crm_id')
      .execute();
    const changed = opportunities.filter((_, index) => index % 100 === 0);
    await emulator.control(
      'POST',
      '/__emulator/mutations',
      changed.map((row, n) => spec.change(row.crm_id, n)),
    );
    await emulator.control('POST', '/__emulator/clock/advance', { seconds: 60 });
    const objects = connectorFor(provider).objects.length;
    const incremental = await syncConnection(ctx);
    await normalizeConnection(ctx);
    const kpiIncremental = await timed(() => computeKpis(ctx));
    const second = await writeback(ctx);

    return {
      provider,
      scale,
      records,
      backfillSeconds: backfill.seconds,
      backfillRecordsPerSecond: records / backfill.seconds,
      backfillApiCalls: backfill.value.apiCalls,
      copyRecordsPerSecond,
      normalizeSeconds: normalize.seconds,
      kpiFullSeconds: kpis.seconds,
      kpiRows: kpis.value.counts.rowsWritten ?? 0,
      writebackRecords: first.counts.recordsSent ?? 0,
      writebackCalls: first.counts.writeCalls ?? 0,
      writebackMinimum: Math.ceil((first.counts.recordsSent ?? 0) / spec.writeBatch),
      changedOpportunities: changed.length,
      incrementalApiCalls: incremental.apiCalls,
      // one query per object, plus the extra pages the changed opportunities need
      incrementalMinimum: objects + Math.max(0, Math.ceil(changed.length / spec.pageSize) - 1),
      kpiIncrementalSeconds: kpiIncremental.seconds,
      incrementalWritebackRecords: second.counts.recordsSent ?? 0,
      incrementalWritebackCalls: second.counts.writeCalls ?? 0,
      incrementalWritebackMinimum: Math.ceil((second.counts.recordsSent ?? 0) / spec.writeBatch),
      peakRssMb: memory.stop(),
    };
  } finally {
    memory.stop();
    await db.close();
    if (options.keepDatabase) process.stderr.write(`kept database ${database.url}\n`);
    else await dropBenchDatabase(database.name);
    await emulator.stop();
  }
}

function contextFor(
  db: StageContext['db'],
  provider: Provider,
  connection: Record<string, unknown>,
): StageContext {
  const config = parseConfig(
    { org: { timezone: 'America/New_York' }, connections: [connection] },
    'bench',
    {},
  );
  return {
    db,
    config,
    connection: config.connections[0]!,
    logger: silentLogger,
    signal: new AbortController().signal,
    trigger: `bench ${provider}`,
    parentRunId: null,
    now: () => new Date(),
    rateLimiter: unlimited,
  };
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await run();
  return { value, seconds: (performance.now() - started) / 1000 };
}

/** Peak RSS of this process between start and stop, sampled every 50 ms. */
function sampleRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024);
    },
  };
}

/**
 * Loads the landed rows once more with COPY, into an identical table (same indexes), to compare
 * the backfill's rate with the fastest way PostgreSQL can take the same data.
 */
async function copyRate(url: string, records: number): Promise<number> {
  const work = mkdtempSync(path.join(tmpdir(), 'attain-copy-'));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const dump = path.join(work, 'landed.copy');
    const columns = 'connection_id, object, crm_id, modstamp, is_deleted, data';
    await pipeline(
      client.query(copyTo(`COPY (SELECT ${columns} FROM crm_records) TO STDOUT`)),
      createWriteStream(dump),
    );
    await client.query('CREATE TABLE crm_records_copy (LIKE crm_records INCLUDING ALL)');
    const started = performance.now();
    await pipeline(
      createReadStream(dump),
      client.query(copyFrom(`COPY crm_records_copy (${columns}) FROM STDIN`)),
    );
    return records / ((performance.now() - started) / 1000);
  } finally {
    await client.end();
    rmSync(work, { recursive: true, force: true });
  }
}

interface EmulatorProcess {
  connection: Record<string, unknown>;
  control(method: string, route: string, body: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** `attain emulator <provider>` in its own process; HubSpot's rate limits are lifted (the bench measures attain). */
export async function startEmulatorProcess(provider: Provider, scale: number): Promise<EmulatorProcess> {
  const child = spawn(
    process.execPath,
    [path.resolve('src/cli.ts'), '--json', 'emulator', provider, '--scale', String(scale), '--seed', '42'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const summary = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      try {
        resolve(JSON.parse(output) as Record<string, unknown>);
      } catch {
        // the document is not complete yet
      }
    });
    child.on('exit', (code) => reject(new Error(`emulator exited ${code}`)));
  });
  const url = String(summary.url);
  const control = async (method: string, route: string, body: unknown) => {
    const response = await fetch(`${url}${route}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  if (provider === 'hubspot')
    await control('PATCH', '/__emulator/settings', { requestsPer10s: 1_000_000, searchPerSecond: 1_000_000 });
  const connection =
    provider === 'salesforce'
      ? {
          id: 'bench',
          provider,
          salesforce: {
            flow: 'client_credentials',
            loginUrl: url,
            clientId: summary.clientId,
            clientSecret: summary.clientSecret,
          },
          sync: { lagSeconds: 0 },
          mapping: { meetingOutcomeField: 'Meeting_Outcome__c' },
        }
      : {
          id: 'bench',
          provider,
          hubspot: { accessToken: summary.accessToken, basePath: url },
          sync: { lagSeconds: 0, delayedPassLagSeconds: 0, requestsPer10s: 10_000, searchPerSecond: 1000 },
        };
  return {
    connection,
    control,
    stop: () =>
      new Promise((resolve) => {
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
