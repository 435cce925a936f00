import type { BookContext } from './book-context.ts';
import type { FiscalPeriod } from './fiscal-periods.ts';
import { DAY_MS } from './timeline.ts';
import type { WorldQuota } from './types.ts';
import { iso, uniformInstant } from './work-time.ts';

/**
 * Per quarter (monthly quotas are a third of it each). Calibrated to the deal flow a rep generates
 * (about 50 deals over the span, ~31% won, median ~40k) so attainment centres near 90% with a real
 * spread: some reps ahead, many on track or behind, a few at risk.
 */
const QUARTER_QUOTA = { min: 25_000, max: 400_000, step: 5_000 } as const;
const ANNUAL_GROWTH = 1.08;
const MONTHLY_SHARE = 0.35;

/**
 * The rep's quotas for every fiscal quarter (or every month — one or the other per rep) from its
 * start through the end of the current fiscal year (a departed rep's stop at its departure).
 * Each fiscal year's quotas are set in annual planning shortly before the year starts, or just
 * after hire for a rep who joined mid-year; a few are adjusted later.
 */
export function buildQuotas(ctx: BookContext): WorldQuota[] {
  const { random, timeline, rep, keys } = ctx;
  const { days } = timeline;
  const monthly = random.chance(MONTHLY_SHARE);
  const base = random.range(36_000, 52_000) * ctx.productivity;
  const firstDate = days.dateOf(rep.startMs);
  // An active rep's quotas are planned through the end of the current fiscal year.
  const lastDate = rep.active ? timeline.currentYear.endDate : days.dateOf(rep.endMs);
  const hiredMs = Date.parse(rep.user.createdAt);
  const firstFiscalYear = timeline.quarters[0]?.fiscalYear ?? 0;
  const planningMs = new Map<number, number>();
  const quotas: WorldQuota[] = [];
  for (const quarter of timeline.quarters) {
    if (quarter.endDate < firstDate || quarter.startDate > lastDate) continue;
    const quarterAmount = quotaAmount(base * ANNUAL_GROWTH ** (quarter.fiscalYear - firstFiscalYear));
    let plannedMs = planningMs.get(quarter.fiscalYear);
    if (plannedMs === undefined) {
      const yearStart = timeline.quarters.find((q) => q.fiscalYear === quarter.fiscalYear && q.quarter === 1);
      const yearStartMs = days.startMs(days.indexOfDate(yearStart?.startDate ?? quarter.startDate));
      plannedMs = Math.max(
        yearStartMs - random.int(5, 25) * DAY_MS + random.int(9, 17) * 3_600_000,
        hiredMs + random.int(1, 5) * DAY_MS,
      );
      planningMs.set(quarter.fiscalYear, plannedMs);
    }
    const periods: FiscalPeriod[] = monthly ? monthsOf(ctx, quarter) : [quarter];
    for (const period of periods) {
      if (period.endDate < firstDate || period.startDate > lastDate) continue;
      const createdMs = Math.min(timeline.cutoffMs, plannedMs);
      const adjusted = random.chance(0.1);
      quotas.push({
        key: keys.next('quota'),
        createdAt: iso(createdMs),
        modifiedAt: iso(
          adjusted
            ? uniformInstant(random, createdMs, Math.min(timeline.cutoffMs, createdMs + 120 * DAY_MS))
            : createdMs,
        ),
        deletedAt: null,
        userKey: rep.key,
        periodType: monthly ? 'month' : 'quarter',
        periodStart: period.startDate,
        periodEnd: period.endDate,
        // Monthly quotas are round numbers too (a third of the quarter, to the hundred).
        amount: monthly ? Math.round(quarterAmount / 300) * 100 : quarterAmount,
      });
    }
  }
  return quotas;
}

function quotaAmount(amount: number): number {
  const stepped = Math.round(amount / QUARTER_QUOTA.step) * QUARTER_QUOTA.step;
  return Math.min(QUARTER_QUOTA.max, Math.max(QUARTER_QUOTA.min, stepped));
}

function monthsOf(ctx: BookContext, quarter: FiscalPeriod): FiscalPeriod[] {
  return ctx.timeline.months.filter(
    (month) => month.startDate >= quarter.startDate && month.endDate <= quarter.endDate,
  );
}
