/**
 * `npm run bench`: attain's performance and API-cost claims, measured in one run, side by side for
 * both CRMs at two scales so growth is visible. Options: --scales 200,2000 --providers
 * salesforce,hubspot --keep (keep each measured database, to profile it). Needs the local PostgreSQL (like the tests). Specialised benchmarks:
 * bench/world-generate.ts, bench/salesforce-emulator.ts, bench/hubspot.ts, bench/kpi.ts.
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { measure, type Measurement, type Provider } from './measure-connection.ts';

const { values } = parseArgs({
  options: {
    scales: { type: 'string', default: '200,2000' },
    providers: { type: 'string', default: 'salesforce,hubspot' },
    keep: { type: 'boolean', default: false },
  },
});
const scales = values.scales.split(',').map(Number);
const providers = values.providers.split(',') as Provider[];

const results: Measurement[] = [];
for (const provider of providers) {
  for (const scale of scales) {
    process.stderr.write(`measuring ${provider} at scale ${scale}…\n`);
    results.push(await measure(provider, scale, { keepDatabase: values.keep }));
  }
}

const n = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rows: Array<[string, (m: Measurement) => string]> = [
  ['records in the CRM (landed)', (m) => n(m.records)],
  ['backfill: records/s', (m) => `${n(m.backfillRecordsPerSecond)} (${n(m.backfillSeconds, 1)} s)`],
  ['  PostgreSQL COPY of the same rows: records/s', (m) => n(m.copyRecordsPerSecond)],
  ['  backfill ÷ COPY', (m) => n(m.backfillRecordsPerSecond / m.copyRecordsPerSecond, 2)],
  ['  API calls', (m) => n(m.backfillApiCalls)],
  ['normalize: seconds', (m) => n(m.normalizeSeconds, 1)],
  ['KPI full compute: seconds (rows)', (m) => `${n(m.kpiFullSeconds, 2)} (${n(m.kpiRows)})`],
  [
    'writeback: calls / ⌈records ÷ batch⌉ (records)',
    (m) => `${m.writebackCalls} / ${m.writebackMinimum} (${n(m.writebackRecords)})`,
  ],
  ['1% of opportunities changed', (m) => n(m.changedOpportunities)],
  ['  incremental sync: API calls / minimum', (m) => `${m.incrementalApiCalls} / ${m.incrementalMinimum}`],
  ['  KPI incremental recompute: seconds', (m) => n(m.kpiIncrementalSeconds, 2)],
  [
    '  writeback: calls / ⌈records ÷ batch⌉ (records)',
    (m) =>
      `${m.incrementalWritebackCalls} / ${m.incrementalWritebackMinimum} (${n(m.incrementalWritebackRecords)})`,
  ],
  ['peak RSS of attain (MB)', (m) => n(m.peakRssMb)],
];

const headers = ['', ...results.map((m) => `${m.provider} ${m.scale}`)];
const table = [headers, ...rows.map(([label, value]) => [label, ...results.map(value)])];
const widths = headers.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
const line = (row: string[]) =>
  `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
console.log(
  `attain benchmark — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`,
);
console.log(line(table[0]!));
console.log(
  `|${widths.map((width, i) => (i === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`,
);
for (const row of table.slice(1)) console.log(line(row));
