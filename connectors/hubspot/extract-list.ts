import type { ExtractPage } from '../types.ts';
import type { HubSpotApi } from './hubspot-api.ts';
import { landPage, type ObjectQuery } from './object-query.ts';

/** Resume point of a backfill, saved with every page. */
export interface ListCursor {
  phase: 'list';
  /** The list cursor of the next page; null for the first. */
  after: string | null;
  /** Server time when the backfill began: the watermark once it completes. */
  startedAt: string;
}

/**
 * A backfill through the list endpoint (uncapped, unlike search), live records in id order with
 * their associations embedded. Every page carries the next cursor; the last one sets the
 * watermark to the backfill's start, from which incremental search takes over (records changed
 * during the backfill are read again by it) and the delayed pass begins.
 */
export async function* extractList(
  api: HubSpotApi,
  query: ObjectQuery,
  start: ListCursor,
): AsyncGenerator<ExtractPage> {
  let after = start.after;
  for (;;) {
    const page = await api.call(`list of ${query.object}`, () =>
      api.apis.objects.basicApi.getPage(
        query.object,
        api.settings.listPageSize,
        after ?? undefined,
        query.properties,
        undefined,
        query.associations.length > 0 ? [...query.associations] : undefined,
        false,
      ),
    );
    const next = page.paging?.next?.after ?? null;
    const landed = landPage(page.results);
    if (next !== null) {
      after = next;
      yield {
        ...landed,
        checkpoint: { watermark: null, cursor: { ...start, after }, backfillCompleted: false },
      };
      api.signal.throwIfAborted();
      continue;
    }
    yield {
      ...landed,
      checkpoint: {
        watermark: new Date(start.startedAt),
        cursor: { delayedUntil: start.startedAt },
        backfillCompleted: true,
      },
    };
    return;
  }
}
