import type { Clock } from '../../../emulator-kit/clock.ts';
import { IdAllocator } from '../ids.ts';
import { SalesforceError } from '../salesforce-error.ts';
import type { CompiledQuery } from '../soql/compile.ts';
import type { SObjectRecord } from '../store/sobject-record.ts';
import { recordProjector, type RecordJson } from './record-json.ts';

export interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: RecordJson[];
}

interface Cursor {
  id: string;
  rows: SObjectRecord[];
  project: (record: SObjectRecord, versionPath: string) => RecordJson;
  expiresAtMs: number;
  servedOffsets: Set<number>;
  finishedAtMs: number | null;
}

/** A cursor whose last page was served is kept this long for client retries, then released. */
const FINISHED_GRACE_MS = 5 * 60_000;

/**
 * Server-side REST query cursors (spec §4): the result set is frozen when the query runs; pages
 * are slices of it. The locator `01g…-N` names the cursor and the offset of the page, so a
 * retried request gets the same page again.
 */
export class QueryCursors {
  private readonly cursors = new Map<string, Cursor>();
  private readonly ids = new IdAllocator();
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly onPageServed: (page: number) => void;

  constructor(options: { clock: Clock; ttlSeconds: number; onPageServed: (page: number) => void }) {
    this.clock = options.clock;
    this.ttlMs = options.ttlSeconds * 1000;
    this.onPageServed = options.onPageServed;
  }

  /** Runs the first page; opens a cursor when more pages follow. */
  open(query: CompiledQuery, rows: SObjectRecord[], pageSize: number, versionPath: string): QueryPage {
    this.sweep();
    const cursor: Cursor = {
      id: this.ids.allocate('01g'),
      rows,
      project: recordProjector(query),
      expiresAtMs: this.clock.nowMs() + this.ttlMs,
      servedOffsets: new Set(),
      finishedAtMs: null,
    };
    this.cursors.set(cursor.id, cursor);
    return this.serve(cursor, 0, pageSize, versionPath);
  }

  page(locator: string, pageSize: number, versionPath: string): QueryPage {
    const match = /^(01g[A-Za-z0-9]{15})-(\d+)$/.exec(locator);
    const cursor = match ? this.cursors.get(match[1]!) : undefined;
    const offset = Number(match?.[2]);
    if (!cursor || cursor.expiresAtMs <= this.clock.nowMs() || offset > cursor.rows.length) {
      throw new SalesforceError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    return this.serve(cursor, offset, pageSize, versionPath);
  }

  /** Every open cursor becomes invalid (INVALID_QUERY_LOCATOR on its next page). */
  expireAll(): void {
    this.cursors.clear();
  }

  private serve(cursor: Cursor, offset: number, pageSize: number, versionPath: string): QueryPage {
    const end = Math.min(offset + pageSize, cursor.rows.length);
    const records: RecordJson[] = [];
    for (let i = offset; i < end; i++) records.push(cursor.project(cursor.rows[i]!, versionPath));
    const done = end >= cursor.rows.length;
    const totalSize = cursor.rows.length;
    const page: QueryPage = done
      ? { totalSize, done, records }
      : { totalSize, done, nextRecordsUrl: `${versionPath}/query/${cursor.id}-${end}`, records };
    if (done) {
      cursor.finishedAtMs ??= this.clock.nowMs();
      if (offset === 0) this.cursors.delete(cursor.id);
    }
    if (!cursor.servedOffsets.has(offset)) {
      cursor.servedOffsets.add(offset);
      this.onPageServed(cursor.servedOffsets.size);
    }
    return page;
  }

  private sweep(): void {
    const now = this.clock.nowMs();
    for (const [id, cursor] of this.cursors) {
      const finishedLongAgo = cursor.finishedAtMs !== null && now - cursor.finishedAtMs > FINISHED_GRACE_MS;
      if (cursor.expiresAtMs <= now || finishedLongAgo) this.cursors.delete(id);
    }
  }
}
