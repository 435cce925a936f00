import type { PublicObjectSearchRequest } from '@hubspot/api-client/lib/codegen/crm/objects/models/PublicObjectSearchRequest.js';
import type { ExtractPage } from '../types.ts';
import type { HubSpotApi } from './hubspot-api.ts';
import { landPage, readAssociations, type ObjectQuery } from './object-query.ts';
import type { ClientRecord } from './records.ts';

/** HubSpot answers no search page past the 10,000th result (spec §2.4). */
export const SEARCH_RESULT_CAP = 10_000;
const MODSTAMP = 'hs_lastmodifieddate';

/** Resume point of an incremental window, saved with every page. */
export interface SearchCursor {
  phase: 'search';
  /** 'main' moves the watermark; 'delayed' re-reads an older window for late-indexed records. */
  window: 'main' | 'delayed';
  /** Inclusive bounds of the window (ISO instants). */
  since: string;
  until: string;
  /** 'time': ordered by modstamp; 'ties': one modstamp shared by too many records, walked by id. */
  mode: 'time' | 'ties';
  tieStamp: string | null;
  /** ties mode: the last id a previous search reached. */
  lastId: string | null;
  /** The offset of the next page within the current search. */
  after: string | null;
  /** Where the last completed delayed window ended. */
  delayedUntil: string | null;
}

export interface SearchOptions {
  /** The delayed pass trails the main window by this much; 0 = no delayed pass. */
  delayedLagMs: number;
  lookbackMs: number;
}

/**
 * Incremental extraction through search (spec §3.3, sync notes §1.4): `hs_lastmodifieddate`
 * between `since` and `until`, ascending, 200 per page. Before a page would pass the 10,000
 * result cap, a new search starts from the modstamp reached; when the whole page shares the
 * window's first modstamp (a bulk job stamped more than 10,000 records alike), the cycle breaker
 * walks that one modstamp by `hs_object_id` instead, restarting from the last id at each cap,
 * then continues just after it. Overlaps re-read records, which the landing upsert absorbs.
 * A completed main window sets the watermark to `until`; a delayed window then re-reads
 * [delayedUntil − lookback, until − delayedLag] for records search indexed late.
 */
export async function* extractSearch(
  api: HubSpotApi,
  query: ObjectQuery,
  start: SearchCursor,
  options: SearchOptions,
): AsyncGenerator<ExtractPage> {
  const cursor: SearchCursor = { ...start };
  const pageSize = api.settings.searchPageSize;
  for (;;) {
    let landed: Pick<ExtractPage, 'records' | 'rejected'> = { records: [], rejected: [] };
    let complete = Date.parse(cursor.since) > Date.parse(cursor.until);
    if (!complete) {
      const response = await api.call(
        `search of ${query.object}`,
        () => api.apis.objects.searchApi.doSearch(query.object, searchRequest(query, cursor, pageSize)),
        { search: true },
      );
      const results = response.results as ClientRecord[];
      const associations =
        query.associations.length > 0
          ? await readAssociations(
              api,
              query.object,
              results.map((record) => record.id),
              query.associations,
            )
          : undefined;
      landed = landPage(results, associations);
      complete = advance(cursor, response.paging?.next?.after ?? null, results.at(-1), pageSize);
    }
    if (!complete) {
      yield { ...landed, checkpoint: { watermark: null, cursor: { ...cursor }, backfillCompleted: false } };
      api.signal.throwIfAborted();
      continue;
    }
    const next = cursor.window === 'main' ? delayedWindow(cursor, options) : null;
    const watermark =
      cursor.window === 'main' && Date.parse(start.since) <= Date.parse(cursor.until)
        ? new Date(cursor.until)
        : null;
    const delayedUntil = cursor.window === 'delayed' ? cursor.until : cursor.delayedUntil;
    yield {
      ...landed,
      checkpoint: { watermark, cursor: { ...(next ?? { delayedUntil }) }, backfillCompleted: true },
    };
    if (!next) return;
    Object.assign(cursor, next);
    api.signal.throwIfAborted();
  }
}

/** Moves the cursor past a served page; true when the window is complete. */
function advance(
  cursor: SearchCursor,
  nextAfter: string | null,
  last: ClientRecord | undefined,
  pageSize: number,
): boolean {
  if (nextAfter === null || last === undefined) {
    if (cursor.mode === 'time') return true;
    // Every record of the tied modstamp is read: go on just after it.
    cursor.since = new Date(Date.parse(cursor.tieStamp!) + 1).toISOString();
    cursor.mode = 'time';
    cursor.tieStamp = null;
    cursor.lastId = null;
    cursor.after = null;
    return false;
  }
  if (Number(nextAfter) + pageSize <= SEARCH_RESULT_CAP) {
    cursor.after = nextAfter;
    return false;
  }
  // The next page would pass the cap: a new search, anchored where this one got to.
  cursor.after = null;
  if (cursor.mode === 'ties') {
    cursor.lastId = last.id;
    return false;
  }
  const reached = stampOf(last);
  if (reached > Date.parse(cursor.since)) {
    cursor.since = new Date(reached).toISOString();
  } else {
    cursor.mode = 'ties';
    cursor.tieStamp = cursor.since;
    cursor.lastId = null;
  }
  return false;
}

function delayedWindow(main: SearchCursor, options: SearchOptions): SearchCursor | null {
  if (options.delayedLagMs <= 0 || main.delayedUntil === null) return null;
  const end = Date.parse(main.until) - options.delayedLagMs;
  const from = Date.parse(main.delayedUntil) - options.lookbackMs;
  if (end <= Date.parse(main.delayedUntil)) return null;
  return {
    phase: 'search',
    window: 'delayed',
    since: new Date(from).toISOString(),
    until: new Date(end).toISOString(),
    mode: 'time',
    tieStamp: null,
    lastId: null,
    after: null,
    delayedUntil: main.delayedUntil,
  };
}

function searchRequest(query: ObjectQuery, cursor: SearchCursor, limit: number): PublicObjectSearchRequest {
  const ms = (iso: string) => String(Date.parse(iso));
  const filters =
    cursor.mode === 'time'
      ? [
          { propertyName: MODSTAMP, operator: 'GTE', value: ms(cursor.since) },
          { propertyName: MODSTAMP, operator: 'LTE', value: ms(cursor.until) },
        ]
      : [
          { propertyName: MODSTAMP, operator: 'EQ', value: ms(cursor.tieStamp!) },
          ...(cursor.lastId === null
            ? []
            : [{ propertyName: 'hs_object_id', operator: 'GT', value: cursor.lastId }]),
        ];
  // `sorts` is typed string[] but sent as is; HubSpot takes the object form (spec §2.1).
  const sort = { propertyName: cursor.mode === 'time' ? MODSTAMP : 'hs_object_id', direction: 'ASCENDING' };
  return {
    filterGroups: [{ filters }],
    sorts: [sort],
    properties: query.properties,
    limit,
    ...(cursor.after === null ? {} : { after: cursor.after }),
  } as unknown as PublicObjectSearchRequest;
}

function stampOf(record: ClientRecord): number {
  const stamp = record.properties[MODSTAMP];
  const ms = stamp ? Date.parse(stamp) : NaN;
  return Number.isNaN(ms) ? record.updatedAt.getTime() : ms;
}
