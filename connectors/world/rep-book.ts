import { ActivityLog } from './activities.ts';
import type { BookContext } from './book-context.ts';
import type { PricedProduct } from './catalog.ts';
import { EdgeCases, SHOWCASE_EDGE_CASES } from './edge-cases.ts';
import type { KeySequences } from './keys.ts';
import { buildLeads } from './leads.ts';
import { buildOpportunities } from './opportunities.ts';
import { buildQuotas } from './quotas.ts';
import { deriveSeed, Random } from './random.ts';
import type { RepProfile } from './staff.ts';
import { DAY_MS, type WorldTimeline } from './timeline.ts';
import type { RepBook, ResolvedWorldOptions, WorldQueue } from './types.ts';

/** What every book of one world shares. */
export interface BookShared {
  options: ResolvedWorldOptions;
  timeline: WorldTimeline;
  queues: readonly WorldQueue[];
  rates: ReadonlyMap<string, number>;
  priceBooks: ReadonlyMap<string, readonly PricedProduct[]>;
}

const PROSPECTING_CALLS = 12;
const PROSPECTING_EMAILS = 6;
const INTERNAL_MEETINGS = 9;

/**
 * One rep's book of business. Its random stream is seeded from (seed, rep index) alone; only the
 * keys depend on earlier books (they continue the stream's per-kind sequences).
 */
export function buildRepBook(shared: BookShared, rep: RepProfile, keys: KeySequences): RepBook {
  const random = new Random(deriveSeed(shared.options.seed, 'rep-book', rep.index));
  const { timeline } = shared;
  const productivity = random.range(0.75, 1.25);
  const tenure = (rep.endMs - rep.startMs) / (timeline.cutoffMs - timeline.spanStartMs);
  const ctx: BookContext = {
    random,
    timeline,
    rep,
    queues: shared.queues,
    keys,
    edges: new EdgeCases(random, [
      ...(rep.index === 0 ? SHOWCASE_EDGE_CASES : []),
      ...(rep.active ? [] : (['departedRepWin'] as const)),
    ]),
    multiCurrency: shared.options.multiCurrency,
    rates: shared.rates,
    priceBooks: shared.priceBooks,
    productivity,
    volume: tenure * productivity,
    winRate: Math.min(0.45, Math.max(0.15, 0.32 * random.range(0.75, 1.25) * Math.sqrt(productivity))),
  };
  const book: RepBook = {
    repKey: rep.key,
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
  const log = new ActivityLog(ctx);
  const leads = buildLeads(ctx, log);
  book.leads = leads.leads;
  buildOpportunities(ctx, log, leads, book);
  // Work not tied to a lead or deal: cold calls, prospecting emails, internal meetings.
  const none = { leadKey: null, opportunityKey: null };
  log.completedCalls(random.poisson(PROSPECTING_CALLS * ctx.volume), rep.startMs, rep.endMs, none);
  log.emailsBetween(random.poisson(PROSPECTING_EMAILS * ctx.volume), rep.startMs, rep.endMs, none, 0);
  log.meetingsBetween(random.poisson(INTERNAL_MEETINGS * ctx.volume), rep.startMs, rep.endMs, none, true);
  if (rep.active) {
    if (random.chance(0.5)) log.plannedCall(none, rep.startMs);
    while (ctx.edges.owes('overduePlannedCall') || ctx.edges.owes('upcomingPlannedCall'))
      log.plannedCall(none, rep.startMs);
    if (ctx.edges.owes('upcomingMeeting'))
      log.meetingsBetween(1, timeline.nowMs, timeline.nowMs + 21 * DAY_MS, none, true);
  }
  log.finish();
  book.calls = log.calls;
  book.emails = log.emails;
  book.meetings = log.meetings;
  book.quotas = buildQuotas(ctx);
  return book;
}
