/**
 * HubSpot backfill benchmark: `node bench/hubspot.ts [--scale 200] [--keep]`.
 *
 * Starts the HubSpot emulator on a generated world (default scale 200, ≈124,000 records) with
 * its rate limits lifted, creates a fresh database (like test/support does, on
 * ATTAIN_TEST_ADMIN_URL or the local server), then runs the real connector's extract stage —
 * @hubspot/api-client list pages of 100 with embedded associations, landed page by page — and
 * prints records/s and the API calls it took per endpoint; then the normalize stage, and an
 * incremental sync with nothing changed (one search per object).
 * Against HubSpot's own limits (Pro: 190 requests per 10 s) the call count is what bounds a real
 * backfill: calls ÷ 19 per second.
 */
import { parseArgs } from 'node:util';
import { startHubSpotEmulator } from '../connectors/hubspot/emulator/emulator.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { parseConfig } from '../src/config.ts';
import { syncConnection } from '../src/extract/sync-stage.ts';
import { silentLogger } from '../src/logger.ts';
import { normalizeConnection } from '../src/normalize/normalize-stage.ts';
import { unlimited } from '../src/rate-limit.ts';
import type { StageContext } from '../src/stage.ts';
import { databaseUrl, dropDatabase, uniqueName, withAdmin } from '../test/support/postgres.ts';

const { values: args } = parseArgs({
  options: { scale: { type: 'string', default: '200' }, keep: { type: 'boolean', default: false } },
});
const scale = Number(args.scale);

const emulator = await startHubSpotEmulator({
  scale,
  seed: 20260304,
  now: '2026-03-04T15:20:00.000Z',
  requestsPer10s: 1_000_000,
  searchPerSecond: 1_000_000,
});
const rss = () => `${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`;
const total = Object.values(emulator.counts).reduce((sum, n) => sum + n, 0);
console.log(
  `portal: scale ${scale}, ${total.toLocaleString('en-US')} records loaded in ${(emulator.loadMs / 1000).toFixed(1)} s (rss ${rss()})`,
);

const name = uniqueName('attain_bench_hs');
await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
const database = await openDatabase({ url: databaseUrl(name), poolSize: 2 });
try {
  await migrateToLatest(database.db);
  const config = parseConfig(
    {
      org: { timezone: 'America/New_York' },
      connections: [
        {
          id: 'bench',
          provider: 'hubspot',
          hubspot: { accessToken: emulator.credentials.accessToken, basePath: emulator.url },
          sync: { lagSeconds: 0, requestsPer10s: 10_000, searchPerSecond: 1000 },
          writeback: { enabled: false },
        },
      ],
    },
    'bench',
    {},
  );
  const ctx: StageContext = {
    db: database.db,
    config,
    connection: config.connections[0]!,
    logger: silentLogger,
    signal: new AbortController().signal,
    trigger: 'bench',
    parentRunId: null,
    now: () => new Date(),
    rateLimiter: unlimited,
  };

  let started = performance.now();
  const backfill = await syncConnection(ctx);
  let seconds = (performance.now() - started) / 1000;
  const records = backfill.counts.records ?? 0;
  console.log(
    `backfill: ${records.toLocaleString('en-US')} records in ${seconds.toFixed(1)} s → ` +
      `${Math.round(records / seconds).toLocaleString('en-US')} records/s; ${backfill.apiCalls} API calls ` +
      `(${JSON.stringify(emulator.store.usageSnapshot().byEndpoint)}); at 19 calls/s a real portal needs ≥ ${Math.ceil(backfill.apiCalls / 19)} s`,
  );

  started = performance.now();
  const normalized = await normalizeConnection(ctx);
  seconds = (performance.now() - started) / 1000;
  console.log(`normalize: ${JSON.stringify(normalized.result.changed)} in ${seconds.toFixed(1)} s`);

  emulator.store.usage.reset();
  started = performance.now();
  const incremental = await syncConnection(ctx);
  seconds = (performance.now() - started) / 1000;
  console.log(
    `incremental, nothing changed: ${incremental.apiCalls} API calls in ${seconds.toFixed(2)} s ` +
      `(${JSON.stringify(emulator.store.usageSnapshot().byEndpoint)}) (rss ${rss()})`,
  );
} finally {
  await database.close();
  if (args.keep) console.log(`kept database ${databaseUrl(name)}`);
  else await dropDatabase(name);
  await emulator.stop();
}
