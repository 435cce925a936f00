import type { ActivityLog } from './activities.ts';
import type { BookContext } from './book-context.ts';
import { latestModification, softDelete } from './deletion.ts';
import { LEAD_SOURCES, type LeadsResult, type OpportunitySeed } from './leads.ts';
import { priceLines, type PricedLine } from './line-pricing.ts';
import { roundCents } from './money.ts';
import { companyName } from './names.ts';
import { buildQuotes } from './quotes.ts';
import { DAY_MS, daysMs } from './timeline.ts';
import { STAGES, type RepBook, type StageKey, type WorldLineItem, type WorldOpportunity } from './types.ts';
import { iso, uniformInstant, workInstant } from './work-time.ts';

const OPPORTUNITIES_PER_REP = 50;
const OPEN_STAGES: readonly StageKey[] = [
  'prospecting',
  'qualification',
  'needs_analysis',
  'proposal',
  'negotiation',
];
const STAGE_BY_KEY = new Map(STAGES.map((stage) => [stage.key, stage]));
/** Deal sizes in USD: typed amounts and line totals stay within these (converted for EUR/GBP). */
const AMOUNT_BOUNDS_USD = { min: 5_000, max: 250_000 };

/**
 * The rep's opportunities in creation order (conversions and the rep's own), each with its line
 * items, quotes and activities; open deals close in the current or next fiscal quarter.
 */
export function buildOpportunities(
  ctx: BookContext,
  log: ActivityLog,
  leads: LeadsResult,
  book: RepBook,
): void {
  const { random } = ctx;
  const total = Math.max(1, random.round(OPPORTUNITIES_PER_REP * ctx.volume));
  const seeds = [...leads.seeds];
  for (let i = seeds.length; i < total; i++) seeds.push(directSeed(ctx, leads.accounts));
  seeds.sort((a, b) => a.createdMs - b.createdMs);
  for (const seed of seeds) buildOpportunity(ctx, log, seed, book);
}

function directSeed(ctx: BookContext, accounts: readonly string[]): OpportunitySeed {
  const { random, timeline, rep } = ctx;
  const createdMs = workInstant(random, timeline.days, rep.startMs, rep.endMs);
  if (accounts.length > 0 && random.chance(0.45))
    return {
      createdMs,
      lead: null,
      leadSource: random.chance(0.7) ? null : 'other',
      accountName: random.pick(accounts),
      type: 'existing_business',
    };
  return {
    createdMs,
    lead: null,
    leadSource: LEAD_SOURCES.sample(random),
    accountName: companyName(random),
    type: 'new_business',
  };
}

interface Outcome {
  stage: StageKey;
  createdMs: number;
  closeDate: string;
  /** The close instant for closed deals; work stops here. Null while open. */
  closedMs: number | null;
  backdated: boolean;
}

function buildOpportunity(ctx: BookContext, log: ActivityLog, seed: OpportunitySeed, book: RepBook): void {
  const { random, timeline, edges } = ctx;
  const key = ctx.keys.next('opportunity');
  const currency = pickCurrency(ctx);
  const rate = ctx.rates.get(currency) ?? 1;
  const outcome = decideOutcome(ctx, seed);
  const { stage, createdMs } = outcome;
  // Work on the deal ends when it closes (a backdated deal was entered after the fact).
  const lifeEndMs =
    outcome.closedMs === null ? timeline.cutoffMs : Math.max(outcome.closedMs, createdMs + 600_000);
  const stageInfo = STAGE_BY_KEY.get(stage);
  if (!stageInfo) throw new RangeError(`unknown stage ${stage}`);
  const bounds = { min: AMOUNT_BOUNDS_USD.min * rate, max: AMOUNT_BOUNDS_USD.max * rate };
  // Expansions are smaller than new logos, and the deals that get away are a little larger.
  const median =
    (seed.type === 'existing_business' ? 25_000 : 45_000) * (stage === 'closed_lost' ? 1.1 : 0.92);
  const targetAmount = rate * random.logNormal(median, 0.6, 5_500, 230_000);
  const dealDiscount = random.chance(0.3) ? 0 : random.range(0.03, 0.3);
  const lines = random.chance(0.6)
    ? priceLines(random, ctx.priceBooks.get(currency) ?? [], targetAmount, dealDiscount, bounds)
    : [];
  let amount: number | null = null;
  if (lines.length > 0) amount = roundCents(lines.reduce((sum, line) => sum + line.totalPrice, 0));
  else if (!edges.decide('nullAmount', 0.25)) amount = Math.round(targetAmount / 100) * 100;

  const opportunity: WorldOpportunity = {
    key,
    createdAt: iso(createdMs),
    modifiedAt: iso(
      outcome.closedMs === null
        ? uniformInstant(random, Math.max(createdMs, timeline.cutoffMs - 20 * DAY_MS), timeline.cutoffMs)
        : uniformInstant(random, lifeEndMs, Math.min(timeline.cutoffMs, lifeEndMs + 2 * DAY_MS)),
    ),
    deletedAt: null,
    ownerUserKey: ctx.rep.key,
    name: `${seed.accountName} - ${seed.type === 'existing_business' ? 'Expansion' : 'New Business'}`,
    accountName: seed.accountName,
    stage,
    closeDate: outcome.closeDate,
    amount,
    currency,
    probability: stageInfo.probability,
    forecastCategory:
      !stageInfo.isClosed && edges.decide('omittedFromForecast', 0.06)
        ? 'omitted'
        : stageInfo.defaultForecastCategory,
    type: seed.type,
    leadSource: seed.leadSource,
    convertedFromLeadKey: seed.lead?.key ?? null,
  };
  if (seed.lead) seed.lead.convertedOpportunityKey = key;

  const lineItems = lineItemRecords(ctx, opportunity, lines, createdMs, lifeEndMs);
  const mark = log.mark();
  if (!outcome.backdated) {
    const link = { leadKey: null, opportunityKey: key };
    log.completedCalls(random.poisson(1.5), createdMs, lifeEndMs, link);
    log.emailsBetween(random.poisson(1.5), createdMs, lifeEndMs, link, 0.13);
    log.meetingsBetween(random.poisson(1), createdMs, lifeEndMs, link);
    if (outcome.closedMs === null) {
      if (random.chance(0.5)) log.plannedCall(link, createdMs);
      if (random.chance(0.3)) log.meetingsBetween(1, timeline.nowMs, timeline.nowMs + 21 * DAY_MS, link);
    }
  }
  const quotes = outcome.backdated
    ? { quotes: [], lines: [] }
    : buildQuotes(ctx, { opportunity, createdMs, lifeEndMs, lines, targetAmount, dealDiscount, bounds });

  // Won deals, conversions and deals with a removed product (kept to show it) are never deleted.
  const deletable =
    stage !== 'closed_won' && seed.lead === null && lineItems.every((line) => line.deletedAt === null);
  if (deletable && edges.decide('deletedOpportunity', 0.03)) {
    // A duplicate or junk deal cleaned up: everything hanging off it goes to the recycle bin too.
    const family = [opportunity, ...lineItems, ...quotes.quotes, ...quotes.lines, ...log.since(mark)];
    const latest = latestModification(family, opportunity.modifiedAt);
    softDelete(family, iso(uniformInstant(random, Date.parse(latest), timeline.cutoffMs)));
  }
  book.opportunities.push(opportunity);
  book.opportunityLineItems.push(...lineItems);
  book.quotes.push(...quotes.quotes);
  book.quoteLineItems.push(...quotes.lines);
}

function decideOutcome(ctx: BookContext, seed: OpportunitySeed): Outcome {
  const { random, timeline, rep, edges } = ctx;
  const { days } = timeline;
  let won = random.chance(ctx.winRate);
  const cycleMs = daysMs(won ? random.logNormal(75, 0.5, 20, 180) : random.logNormal(50, 0.6, 20, 180));
  const plannedCloseMs = seed.createdMs + cycleMs;
  if (plannedCloseMs <= rep.endMs || !rep.active) {
    // Closed. A departed rep's unfinished deals were closed lost when the rep left.
    const naturally = plannedCloseMs <= rep.endMs;
    if (naturally && edges.claim('departedRepWin')) won = true;
    const closedMs = naturally
      ? workInstant(random, days, plannedCloseMs - DAY_MS, Math.min(plannedCloseMs + DAY_MS, rep.endMs))
      : workInstant(random, days, Math.max(seed.createdMs, rep.endMs - 10 * DAY_MS), rep.endMs);
    const stage = naturally && won ? 'closed_won' : 'closed_lost';
    let createdMs = seed.createdMs;
    let backdated = false;
    const nextMidnightMs = days.startMs(days.indexOf(closedMs) + 1);
    if (
      stage === 'closed_won' &&
      seed.lead === null &&
      nextMidnightMs + 4 * DAY_MS < rep.endMs &&
      edges.decide('closeBeforeCreated', 0.04)
    ) {
      // Entered after the fact: created the day(s) after the deal was signed.
      createdMs = workInstant(random, days, nextMidnightMs, nextMidnightMs + 3 * DAY_MS);
      backdated = true;
    }
    return { stage, createdMs, closeDate: days.dateOf(closedMs), closedMs, backdated };
  }
  const progress = (timeline.cutoffMs - seed.createdMs) / cycleMs;
  const stage =
    OPEN_STAGES[Math.min(OPEN_STAGES.length - 1, Math.floor(progress * OPEN_STAGES.length))] ?? 'prospecting';
  return {
    stage,
    createdMs: seed.createdMs,
    closeDate: openCloseDate(ctx, seed.createdMs, plannedCloseMs),
    closedMs: null,
    backdated: false,
  };
}

/** Expected close: the planned date, pulled into the current or next fiscal quarter; a few are past due. */
function openCloseDate(ctx: BookContext, createdMs: number, plannedCloseMs: number): string {
  const { random, timeline } = ctx;
  const { days, currentQuarter, nextQuarter } = timeline;
  const firstPastDue = Math.max(days.indexOfDate(currentQuarter.startDate), days.indexOf(createdMs));
  if (random.chance(0.08) && firstPastDue < timeline.todayIndex)
    return days.dateAt(random.int(firstPastDue, timeline.todayIndex - 1));
  const lastIndex = days.indexOfDate(nextQuarter.endDate);
  const plannedIndex = plannedCloseMs < days.startMs(lastIndex + 1) ? days.indexOf(plannedCloseMs) : null;
  if (plannedIndex !== null) return days.dateAt(Math.max(timeline.todayIndex, plannedIndex));
  return days.dateAt(random.int(days.indexOfDate(nextQuarter.startDate), lastIndex));
}

function pickCurrency(ctx: BookContext): string {
  if (!ctx.multiCurrency) return 'USD';
  if (ctx.edges.decide('euroOpportunity', 0.12)) return 'EUR';
  return ctx.edges.decide('poundOpportunity', 0.09) ? 'GBP' : 'USD';
}

/** The deal's line records; one extra product is sometimes added and removed again (soft-deleted). */
function lineItemRecords(
  ctx: BookContext,
  opportunity: WorldOpportunity,
  lines: readonly PricedLine[],
  createdMs: number,
  lifeEndMs: number,
): WorldLineItem[] {
  const { random, keys, edges, timeline } = ctx;
  if (lines.length === 0) return [];
  const addedMs = uniformInstant(random, createdMs, createdMs + Math.floor((lifeEndMs - createdMs) * 0.3));
  const record = (line: PricedLine): WorldLineItem => ({
    key: keys.next('opportunityLineItem'),
    createdAt: iso(addedMs),
    modifiedAt: iso(addedMs),
    deletedAt: null,
    opportunityKey: opportunity.key,
    ...line,
  });
  const records = lines.map(record);
  if (edges.decide('deletedLineItem', 0.06)) {
    const { product, listPrice } = random.pick(ctx.priceBooks.get(opportunity.currency) ?? []);
    const removed = record({
      productName: product.name,
      productCode: product.code,
      quantity: 1,
      listPrice,
      unitPrice: listPrice,
      discountPercent: null,
      totalPrice: listPrice,
    });
    softDelete([removed], iso(uniformInstant(random, addedMs, Math.min(lifeEndMs, timeline.cutoffMs))));
    records.push(removed);
  }
  return records;
}
