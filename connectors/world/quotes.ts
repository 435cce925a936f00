import type { BookContext } from './book-context.ts';
import { softDelete } from './deletion.ts';
import { earlierVersion, priceLines, type PricedLine } from './line-pricing.ts';
import { Weighted } from './random.ts';
import { DAY_MS } from './timeline.ts';
import type { QuoteStatus, StageKey, WorldOpportunity, WorldQuote, WorldQuoteLineItem } from './types.ts';
import { iso, uniformInstant, workInstant } from './work-time.ts';

/** What quoting needs to know about a deal. */
export interface QuotableDeal {
  opportunity: WorldOpportunity;
  createdMs: number;
  /** When work on the deal ended: its close, or the cutoff while it is open. */
  lifeEndMs: number;
  /** The deal's live line items; empty when it has none (the quote then prices `targetAmount`). */
  lines: readonly PricedLine[];
  targetAmount: number;
  dealDiscount: number;
  bounds: { min: number; max: number };
}

export interface QuotesResult {
  quotes: WorldQuote[];
  lines: WorldQuoteLineItem[];
}

/** Quotes exist from the proposal stage on; most won deals have one, fewer lost ones. */
const QUOTE_PROBABILITY: Partial<Record<StageKey, number>> = {
  proposal: 0.85,
  negotiation: 0.9,
  closed_won: 0.75,
  closed_lost: 0.35,
};
const FINAL_LOST = new Weighted<QuoteStatus>([
  ['presented', 40],
  ['denied', 45],
  ['draft', 10],
  ['in_review', 5],
]);
const FINAL_OPEN = new Weighted<QuoteStatus>([
  ['draft', 25],
  ['in_review', 20],
  ['presented', 55],
]);
/** Superseded versions. On a won deal none was ever submitted (see WorldQuote's invariants). */
const EARLIER_WON: readonly QuoteStatus[] = ['draft', 'in_review', 'rejected'];
const EARLIER_OTHER: readonly QuoteStatus[] = ['presented', 'denied', 'rejected', 'draft'];

/**
 * 1–2 quote versions for a deal past the needs-analysis stage. The final version mirrors the
 * deal's line items and is the one that syncs to it; on a won deal it is the single accepted
 * quote. Deals without line items still get priced quotes (never syncing ones).
 */
export function buildQuotes(ctx: BookContext, deal: QuotableDeal): QuotesResult {
  const { random, timeline, keys, edges } = ctx;
  const { opportunity } = deal;
  const result: QuotesResult = { quotes: [], lines: [] };
  if (!random.chance(QUOTE_PROBABILITY[opportunity.stage] ?? 0)) return result;
  const won = opportunity.stage === 'closed_won';
  const count = random.chance(0.35) ? 2 : 1;
  const windowStartMs = deal.createdMs + Math.floor((deal.lifeEndMs - deal.createdMs) * 0.4);
  const times = Array.from({ length: count }, () =>
    workInstant(random, timeline.days, windowStartMs, deal.lifeEndMs),
  ).sort((a, b) => a - b);
  const finalLines =
    deal.lines.length > 0
      ? deal.lines
      : priceLines(
          random,
          ctx.priceBooks.get(opportunity.currency) ?? [],
          deal.targetAmount,
          deal.dealDiscount,
          deal.bounds,
        );
  const syncing = deal.lines.length > 0 && (won || random.chance(0.6));
  times.forEach((createdMs, index) => {
    const final = index === count - 1;
    const status = final
      ? finalStatus(ctx, opportunity.stage)
      : random.pick(won ? EARLIER_WON : EARLIER_OTHER);
    const lines = final ? finalLines : earlierVersion(random, finalLines);
    const createdAt = iso(createdMs);
    let modifiedMs = createdMs;
    if (status === 'accepted') modifiedMs = uniformInstant(random, createdMs, deal.lifeEndMs);
    else if (status !== 'draft')
      modifiedMs = uniformInstant(random, createdMs, Math.min(deal.lifeEndMs, createdMs + 20 * DAY_MS));
    const quote: WorldQuote = {
      key: keys.next('quote'),
      createdAt,
      modifiedAt: iso(modifiedMs),
      deletedAt: null,
      opportunityKey: opportunity.key,
      name: `${opportunity.name} - Quote ${index + 1}`,
      status,
      isSyncing: final && syncing,
      expirationDate: timeline.days.dateAt(timeline.days.indexOf(createdMs) + 30),
      currency: opportunity.currency,
    };
    const quoteLines = lines.map((line): WorldQuoteLineItem => ({
      key: keys.next('quoteLineItem'),
      createdAt,
      modifiedAt: createdAt,
      deletedAt: null,
      quoteKey: quote.key,
      ...line,
    }));
    if (status !== 'accepted' && !quote.isSyncing && edges.decide('deletedQuote', 0.15)) {
      const deletedAt = iso(uniformInstant(random, modifiedMs, timeline.cutoffMs));
      softDelete([quote, ...quoteLines], deletedAt);
    }
    result.quotes.push(quote);
    result.lines.push(...quoteLines);
  });
  return result;
}

function finalStatus(ctx: BookContext, stage: StageKey): QuoteStatus {
  if (stage === 'closed_won') return 'accepted';
  return (stage === 'closed_lost' ? FINAL_LOST : FINAL_OPEN).sample(ctx.random);
}
