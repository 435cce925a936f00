/**
 * Throughput and memory of the synthetic world generator.
 *
 *   node bench/world-generate.ts [scale]     (default: 200, then 2000)
 *
 * For each scale: generates every rep's book through streamWorld (counting records), then streams
 * the canonical NDJSON rendering through sha256 (worldDigest). Prints elapsed time, records/s,
 * records by kind and the process's peak RSS so far (maxRSS is a high-water mark).
 */
import { streamWorld, worldDigest } from '../connectors/world/generate.ts';
import { BOOK_KINDS } from '../connectors/world/book-kinds.ts';

const NOW = '2026-03-04T15:20:00.000Z';
const SEED = 20260304;

function peakRssMb(): string {
  return (process.resourceUsage().maxRSS / 1024).toFixed(0);
}

function run(scale: number): void {
  const options = { seed: SEED, scale, now: NOW };
  let started = performance.now();
  const { header, books } = streamWorld(options);
  const counts: Record<string, number> = { users: header.users.length, queues: header.queues.length };
  for (const book of books())
    for (const kind of BOOK_KINDS) counts[kind] = (counts[kind] ?? 0) + book[kind].length;
  const generateSeconds = (performance.now() - started) / 1000;
  const records = Object.values(counts).reduce((sum, count) => sum + count, 0);
  console.log(
    `scale ${scale}: ${records.toLocaleString('en-US')} records (${(records / scale).toFixed(0)} per rep)`,
  );
  for (const [kind, count] of Object.entries(counts))
    console.log(`  ${kind.padEnd(22)} ${count.toLocaleString('en-US').padStart(10)}`);
  console.log(
    `  stream:  ${generateSeconds.toFixed(2)} s, ${Math.round(records / generateSeconds).toLocaleString('en-US')} records/s, peak RSS ${peakRssMb()} MB`,
  );
  started = performance.now();
  const digest = worldDigest(options);
  const digestSeconds = (performance.now() - started) / 1000;
  console.log(
    `  digest:  ${digestSeconds.toFixed(2)} s, ${Math.round(records / digestSeconds).toLocaleString('en-US')} records/s, ` +
      `${(digest.bytes / 1024 / 1024).toFixed(0)} MB NDJSON, sha256 ${digest.sha256.slice(0, 16)}…, peak RSS ${peakRssMb()} MB`,
  );
}

const requested = process.argv[2];
for (const scale of requested ? [Number(requested)] : [200, 2000]) run(scale);
