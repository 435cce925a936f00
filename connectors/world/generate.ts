import { priceBook, type PricedProduct } from './catalog.ts';
import { KeySequences } from './keys.ts';
import { resolveWorldOptions } from './options.ts';
import { buildRepBook, type BookShared } from './rep-book.ts';
import { digestWorldLines, worldLines, type WorldDigest } from './serialize.ts';
import { buildStaff } from './staff.ts';
import { buildTimeline } from './timeline.ts';
import type { RepBook, World, WorldHeader, WorldOptions } from './types.ts';

export { resolveWorldOptions } from './options.ts';
export {
  fiscalPeriods,
  type FiscalPeriod,
  type FiscalPeriodType,
  type FiscalYearNaming,
} from './fiscal-periods.ts';
export type { WorldDigest } from './serialize.ts';

/** A world as a header plus a lazily generated sequence of rep books. */
export interface WorldStream {
  header: WorldHeader;
  /** One book per rep, in rep order, generated on demand; every call starts over and yields the same books. */
  books(): Generator<RepBook>;
}

/**
 * The world, streamed: the header (org, users, queues) up front, each rep's records only when
 * asked for, so memory stays bounded however large the scale. The single code path behind
 * `generateWorld`, `serializeWorld` and `worldDigest`.
 */
export function streamWorld(options: WorldOptions): WorldStream {
  const resolved = resolveWorldOptions(options);
  const timeline = buildTimeline(resolved);
  const staff = buildStaff(resolved, timeline);
  const priceBooks = new Map<string, readonly PricedProduct[]>();
  for (const [code, rate] of staff.currencyTables.rates) priceBooks.set(code, priceBook(rate));
  const shared: BookShared = {
    options: resolved,
    timeline,
    queues: staff.header.queues,
    rates: staff.currencyTables.rates,
    priceBooks,
  };
  return {
    header: staff.header,
    *books() {
      const keys = new KeySequences();
      for (const rep of staff.reps) yield buildRepBook(shared, rep, keys);
    },
  };
}

/** The whole world in memory (about 500 records per rep). */
export function generateWorld(options: WorldOptions): World {
  const { header, books } = streamWorld(options);
  const world: World = {
    ...header,
    leads: [],
    calls: [],
    emails: [],
    meetings: [],
    opportunities: [],
    opportunityLineItems: [],
    quotes: [],
    quoteLineItems: [],
    quotas: [],
  };
  for (const book of books()) {
    append(world.leads, book.leads);
    append(world.calls, book.calls);
    append(world.emails, book.emails);
    append(world.meetings, book.meetings);
    append(world.opportunities, book.opportunities);
    append(world.opportunityLineItems, book.opportunityLineItems);
    append(world.quotes, book.quotes);
    append(world.quoteLineItems, book.quoteLineItems);
    append(world.quotas, book.quotas);
  }
  return world;
}

/** The world as canonical NDJSON lines (each ending in '\n'), streamed. */
export function serializeWorld(options: WorldOptions): Generator<string> {
  return worldLines(streamWorld(options));
}

/** sha256 of the canonical NDJSON rendering, computed while streaming, with record counts. */
export function worldDigest(options: WorldOptions): WorldDigest {
  return digestWorldLines(serializeWorld(options));
}

/** push(...items) overflows the call stack on very large arrays; a loop does not. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
