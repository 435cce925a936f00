import { DateTime } from 'luxon';
import type { Random } from './random.ts';
import type { WorldTimeline } from './timeline.ts';
import type { WorldCurrency, WorldDatedRate } from './types.ts';

export const HOME_CURRENCY = 'USD';

/** Foreign currencies and their typical units per USD; the world's rates wander around these. */
const FOREIGN_CURRENCIES = [
  { code: 'EUR', typicalRate: 0.92 },
  { code: 'GBP', typicalRate: 0.79 },
] as const;

export interface CurrencyTables {
  currencies: WorldCurrency[];
  datedRates: WorldDatedRate[];
  /** Units per USD today (the static CurrencyType rate), by code, including USD itself. */
  rates: ReadonlyMap<string, number>;
}

/**
 * Static and dated conversion rates. Dated rates change on the first of every month, from the
 * month before the span starts; the last one is open-ended (in force today and for every future
 * close date), so every close date in the world has a rate.
 */
export function buildCurrencies(
  random: Random,
  timeline: WorldTimeline,
  multiCurrency: boolean,
): CurrencyTables {
  const currencies: WorldCurrency[] = [{ code: HOME_CURRENCY, isCorporate: true, rate: 1 }];
  const datedRates: WorldDatedRate[] = [];
  const rates = new Map<string, number>([[HOME_CURRENCY, 1]]);
  if (!multiCurrency) return { currencies, datedRates, rates };
  const firstStart = DateTime.fromISO(timeline.days.dateAt(0), { zone: 'utc' }).startOf('month');
  const today = DateTime.fromISO(timeline.today, { zone: 'utc' });
  for (const { code, typicalRate } of FOREIGN_CURRENCIES) {
    let rate = typicalRate * random.range(0.96, 1.04);
    let start = firstStart;
    for (;;) {
      const next = start.plus({ months: 1 });
      const current = next > today;
      datedRates.push({
        code,
        startDate: start.toFormat('yyyy-MM-dd'),
        nextStartDate: current ? null : next.toFormat('yyyy-MM-dd'),
        rate: roundRate(rate),
      });
      if (current) break;
      // A monthly random walk, pulled gently back towards the typical rate.
      rate *= Math.exp(0.015 * random.normal() + 0.1 * Math.log(typicalRate / rate));
      start = next;
    }
    currencies.push({ code, isCorporate: false, rate: roundRate(rate) });
    rates.set(code, roundRate(rate));
  }
  return { currencies, datedRates, rates };
}

/** Salesforce keeps conversion rates to six decimal places. */
function roundRate(rate: number): number {
  return Math.round(rate * 1e6) / 1e6;
}
