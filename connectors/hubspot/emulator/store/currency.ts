/**
 * The portal's currencies: the company (home) currency, static exchange rates and dated ones. A
 * rate is in units of the foreign currency per one home unit, as the world (and Salesforce's
 * ConversionRate) states it; HubSpot shows the inverse (home units per foreign unit) on deals.
 */
export interface PortalCurrencies {
  home: string;
  /** Static rates by code, the home currency included (rate 1). */
  rates: Map<string, number>;
  /** Dated rates on [startDate, nextStartDate). */
  dated: Array<{ code: string; startDate: string; nextStartDate: string | null; rate: number }>;
}

/** The rate in force for `code` on a local date: a dated one covering it, else the static one. */
export function rateOn(currencies: PortalCurrencies, code: string, date: string | null): number | null {
  if (date !== null) {
    const dated = currencies.dated.find(
      (rate) =>
        rate.code === code &&
        rate.startDate <= date &&
        (rate.nextStartDate === null || date < rate.nextStartDate),
    );
    if (dated) return dated.rate;
  }
  return currencies.rates.get(code) ?? null;
}

/**
 * `amount` (a decimal string) divided by `rate`, rounded half away from zero to cents: exactly
 * what the warehouse computes for Salesforce (`round(amount / rate, 2)`), so both CRMs report
 * the same home-currency amount.
 */
export function homeAmount(amount: string, rate: number): string | null {
  const a = decimal(amount);
  const r = decimal(String(rate));
  if (!a || !r || r.units === 0n) return null;
  // amount / rate = (a.units / 10^a.scale) / (r.units / 10^r.scale); scaled by 100 for cents.
  const numerator = a.units * 10n ** BigInt(r.scale) * 100n;
  const denominator = r.units * 10n ** BigInt(a.scale);
  return formatScaled(divideRounded(numerator, denominator), 2);
}

/**
 * HubSpot's exchange rate of a deal (home units per one unit of the deal's currency): 1 / rate,
 * rounded half away from zero at the precision PostgreSQL numeric division uses (16 significant
 * decimals below 1, four more per base-10000 digit of the rate's integer part), so it equals the
 * warehouse's `1 / rate` for Salesforce to the last digit.
 */
export function exchangeRate(rate: number): string | null {
  const r = decimal(String(rate));
  if (!r || r.units <= 0n) return null;
  const weight = Math.floor(Math.log10(rate) / 4);
  const scale = Math.max(16 + 4 * (weight + 1), r.scale);
  return formatScaled(divideRounded(10n ** BigInt(scale + r.scale), r.units), scale);
}

interface Decimal {
  units: bigint;
  scale: number;
}

function decimal(text: string): Decimal | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const fraction = match[3] ?? '';
  const units = BigInt(`${match[2]}${fraction}`);
  return { units: match[1] ? -units : units, scale: fraction.length };
}

function divideRounded(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n !== denominator < 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const rounded = (2n * n + d) / (2n * d);
  return negative ? -rounded : rounded;
}

function formatScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${whole}${scale > 0 ? `.${fraction}` : ''}`;
}
