/**
 * Salesforce emulator throughput: `node bench/salesforce-emulator.ts [--scale 2000] [--object Task]`.
 *
 * Starts an emulator on a generated world (default scale 2000), then reads the largest object
 * (or --object) through real jsforce the way a sync does: a queryAll over a SystemModstamp window
 * ordered by (SystemModstamp, Id), paged with nextRecordsUrl at 2,000 records per page. Prints the
 * world load time, records/s over all pages, the first-page latency (one scan + sort) and the
 * steady-state page latency. Then reads the same object through Bulk 2.0 (10,000-row CSV pages).
 */
import { parseArgs } from 'node:util';
import { Connection } from 'jsforce';
import { HttpApi } from 'jsforce/lib/http-api.js';
import { startSalesforceEmulator } from '../connectors/salesforce/emulator/emulator.ts';

for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[name];

const { values: args } = parseArgs({
  options: { scale: { type: 'string', default: '2000' }, object: { type: 'string' } },
});
const scale = Number(args.scale);

const emulator = await startSalesforceEmulator({ scale, seed: 20260304, now: '2026-03-04T15:20:00.000Z' });
const rss = () => `${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`;
const total = Object.values(emulator.counts).reduce((sum, n) => sum + n, 0);
console.log(
  `world: scale ${scale}, ${total.toLocaleString('en-US')} records loaded in ${(emulator.loadMs / 1000).toFixed(1)} s (rss ${rss()})`,
);
const [object, size] = args.object
  ? [args.object, emulator.counts[args.object] ?? 0]
  : Object.entries(emulator.counts).sort((a, b) => b[1] - a[1])[0]!;
console.log(`largest object: ${object} (${size.toLocaleString('en-US')} records incl. deleted/archived)`);

const conn = new Connection({
  instanceUrl: emulator.url,
  accessToken: emulator.credentials.accessToken,
  version: '64.0',
});
const soql = `SELECT Id, OwnerId, SystemModstamp, CreatedDate, IsDeleted FROM ${object} WHERE SystemModstamp >= 2000-01-01T00:00:00Z AND SystemModstamp < 2100-01-01T00:00:00Z ORDER BY SystemModstamp, Id`;

let started = performance.now();
let page = await conn.query(soql, { scanAll: true });
const firstPageMs = performance.now() - started;
let records = page.records.length;
let pages = 1;
const pageStarted = performance.now();
while (!page.done) {
  page = await conn.queryMore(page.nextRecordsUrl!);
  records += page.records.length;
  pages++;
}
const restMs = performance.now() - pageStarted;
const restSeconds = (performance.now() - started) / 1000;
console.log(
  `REST queryAll: ${records.toLocaleString('en-US')} records in ${pages} pages, ${restSeconds.toFixed(2)} s → ` +
    `${Math.round(records / restSeconds).toLocaleString('en-US')} records/s ` +
    `(first page ${firstPageMs.toFixed(0)} ms incl. scan + sort; later pages ${(restMs / Math.max(1, pages - 1)).toFixed(1)} ms each)`,
);

started = performance.now();
const job = await conn.request<{ id: string; state: string }>({
  method: 'POST',
  url: '/jobs/query',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ operation: 'queryAll', query: soql }),
});
let state = job.state;
while (state !== 'JobComplete')
  state = (await conn.request<{ state: string }>(`/jobs/query/${job.id}`)).state;
let bulkRecords = 0;
let locator: string | undefined;
const api = new HttpApi(conn, {});
let headers: Record<string, string> = {};
api.on('response', (response: { headers: Record<string, string> }) => (headers = response.headers));
do {
  const url = `/jobs/query/${job.id}/results${locator ? `?locator=${encodeURIComponent(locator)}` : ''}`;
  const body = await api.request<unknown[]>({
    method: 'GET',
    url: conn._normalizeUrl(url),
    headers: { Accept: 'text/csv' },
  });
  bulkRecords += body.length;
  locator = headers['sforce-locator'];
} while (locator && locator !== 'null');
const bulkSeconds = (performance.now() - started) / 1000;
console.log(
  `Bulk 2.0 queryAll: ${bulkRecords.toLocaleString('en-US')} records in ${bulkSeconds.toFixed(2)} s → ` +
    `${Math.round(bulkRecords / bulkSeconds).toLocaleString('en-US')} records/s (CSV parsed by jsforce; rss ${rss()})`,
);
await emulator.stop();
