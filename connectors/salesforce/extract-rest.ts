import type { ExtractPage, LandingRecord, RejectedRecord } from '../types.ts';
import { classifySalesforceError, toAttainError } from './classify-error.ts';
import { isRejected, toLandingRecord } from './records.ts';
import type { ObjectQuery, SalesforceApi } from './salesforce-api.ts';
import { soqlDateTime } from './soql.ts';

/** The smallest window QUERY_TIMEOUT may shrink a query to before the error is given up on. */
const MIN_WINDOW_MS = 60_000;

/** Resume point of a REST window, saved with every page. */
export interface RestCursor {
  mode: 'rest';
  /** Inclusive start (ISO) or null for "from the beginning". */
  windowStart: string | null;
  /** Exclusive end of the sub-window being read (shrinks on QUERY_TIMEOUT). */
  windowEnd: string;
  /** Exclusive end of the whole window; the watermark once it is all stored. */
  targetEnd: string;
  /** Last record stored, in (SystemModstamp, Id) order: the query resumes after it. */
  after: { modstamp: string; id: string } | null;
}

interface QueryResponse {
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown>>;
}

/**
 * Reads one object through REST `queryAll` (so deleted and archived rows come too) in half-open
 * windows `[start, end)` of its modstamp, ordered by (modstamp, Id), following `nextRecordsUrl`
 * (never LIMIT + timestamp). Every page carries a keyset checkpoint, so a killed run resumes right
 * after the last stored record; the watermark moves to the window's end only when it is complete.
 */
export async function* extractRest(
  api: SalesforceApi,
  query: ObjectQuery,
  start: RestCursor,
): AsyncGenerator<ExtractPage> {
  const cursor: RestCursor = { ...start };
  while (cursor.windowStart === null || Date.parse(cursor.windowStart) < Date.parse(cursor.targetEnd)) {
    let response: QueryResponse;
    try {
      response = await api.get<QueryResponse>(
        `/queryAll?q=${encodeURIComponent(windowSoql(query, cursor))}`,
        api.queryHeaders,
      );
    } catch (error) {
      const { kind } = classifySalesforceError(error);
      const from = cursor.windowStart === null ? 0 : Date.parse(cursor.windowStart);
      const span = Date.parse(cursor.windowEnd) - from;
      if (kind === 'query_timeout' && span > MIN_WINDOW_MS * 2) {
        // Too much to scan at once: halve the window and try again (state is unchanged).
        cursor.windowEnd = new Date(from + Math.floor(span / 2)).toISOString();
        api.logger.warn(
          { object: query.object, windowEnd: cursor.windowEnd },
          'QUERY_TIMEOUT: narrowing the window',
        );
        continue;
      }
      throw toAttainError(error, `query of ${query.object}`, api.retryAfterMs());
    }

    for (;;) {
      const { records, rejected } = convert(api, query, response.records);
      const last = lastRecord(response.records, query.modstampField);
      if (last) cursor.after = last;
      if (!response.done && response.nextRecordsUrl) {
        yield {
          records,
          rejected,
          checkpoint: { watermark: null, cursor: { ...cursor }, backfillCompleted: false },
        };
        api.throwIfAborted();
        try {
          response = await api.get<QueryResponse>(response.nextRecordsUrl, api.queryHeaders);
        } catch (error) {
          if (classifySalesforceError(error).kind !== 'invalid_locator') {
            throw toAttainError(error, `query of ${query.object}`, api.retryAfterMs());
          }
          // The server cursor expired: query again from just after the last stored record.
          api.logger.warn(
            { object: query.object },
            'INVALID_QUERY_LOCATOR: re-querying from the last checkpoint',
          );
          break;
        }
        continue;
      }
      // The sub-window is complete: everything below its end is stored.
      const finished = cursor.windowEnd === cursor.targetEnd;
      const watermark = new Date(cursor.windowEnd);
      cursor.windowStart = cursor.windowEnd;
      cursor.windowEnd = cursor.targetEnd;
      cursor.after = null;
      yield {
        records,
        rejected,
        checkpoint: finished
          ? { watermark, cursor: {}, backfillCompleted: true }
          : { watermark, cursor: { ...cursor }, backfillCompleted: false },
      };
      if (finished) return;
      api.throwIfAborted();
      break;
    }
  }
}

export function windowSoql(query: ObjectQuery, cursor: RestCursor): string {
  const stamp = query.modstampField;
  const conditions: string[] = [];
  if (cursor.windowStart !== null) conditions.push(`${stamp} >= ${soqlDateTime(cursor.windowStart)}`);
  conditions.push(`${stamp} < ${soqlDateTime(cursor.windowEnd)}`);
  if (cursor.after) {
    const at = soqlDateTime(cursor.after.modstamp);
    conditions.push(`(${stamp} > ${at} OR (${stamp} = ${at} AND Id > '${cursor.after.id}'))`);
  }
  if (query.where) conditions.push(`(${query.where})`);
  return `SELECT ${query.fields.join(', ')} FROM ${query.object} WHERE ${conditions.join(' AND ')} ORDER BY ${stamp} ASC, Id ASC`;
}

function convert(api: SalesforceApi, query: ObjectQuery, raws: Array<Record<string, unknown>>) {
  const records: LandingRecord[] = [];
  const rejected: RejectedRecord[] = [];
  for (const raw of raws) {
    const record = toLandingRecord(raw, query.info, query.modstampField);
    if (isRejected(record)) rejected.push(record);
    else records.push(record);
  }
  api.countRecords(raws.length);
  return { records, rejected };
}

/**
 * The resume point after a page: its last record that has an Id and a readable modstamp. A record
 * without them (which the stage reports or keeps as received) cannot be a keyset position; one
 * before it can, and resuming there only reads a few records again.
 */
function lastRecord(raws: Array<Record<string, unknown>>, modstampField: string) {
  for (let i = raws.length - 1; i >= 0; i--) {
    const { Id: id, [modstampField]: stamp } = raws[i]!;
    const time = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
    if (typeof id === 'string' && !Number.isNaN(time)) return { modstamp: new Date(time).toISOString(), id };
  }
  return null;
}
