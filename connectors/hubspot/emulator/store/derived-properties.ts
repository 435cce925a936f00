import { DateTime } from 'luxon';
import { roundCents } from '../../../world/money.ts';
import { exchangeRate, homeAmount, rateOn, type PortalCurrencies } from './currency.ts';
import type { PropertyValues } from './hubspot-record.ts';
import type { StageDef } from './pipelines.ts';

/** What calculated properties depend on besides the record itself. */
export interface DerivationContext {
  timezone: string;
  currencies: PortalCurrencies;
  dealStage(pipelineId: string | null, stageId: string | null): StageDef | undefined;
}

/**
 * Recomputes the calculated properties of a record (spec §4.1–4.2) from its other values:
 * deal closed/won/lost flags and probability from the stage metadata, home-currency amounts with
 * the rate in force on the close date (org-local), line-item totals and discounts.
 */
export function deriveProperties(
  type: string,
  values: PropertyValues,
  ctx: DerivationContext,
): PropertyValues {
  if (type === 'deals') return { ...values, ...dealDerived(values, ctx) };
  if (type === 'line_items') return { ...values, ...lineItemDerived(values) };
  return values;
}

function dealDerived(values: PropertyValues, ctx: DerivationContext): PropertyValues {
  const stage = ctx.dealStage(values.pipeline ?? null, values.dealstage ?? null);
  const isClosed = stage?.metadata.isClosed === 'true';
  const probability = stage?.metadata.probability ?? null;
  const won = isClosed && probability !== null && Number(probability) === 1;
  const currency = values.deal_currency_code ?? ctx.currencies.home;
  const closeDate = values.closedate ? localDate(values.closedate, ctx.timezone) : null;
  const rate = rateOn(ctx.currencies, currency, closeDate);
  const amount = values.amount ?? null;
  const amountHome = amount === null || rate === null ? null : homeAmount(amount, rate);
  const created = values.createdate ? Date.parse(values.createdate) : NaN;
  const closed = values.closedate ? Date.parse(values.closedate) : NaN;
  return {
    hs_is_closed: String(isClosed),
    hs_is_closed_won: String(won),
    hs_is_closed_lost: String(isClosed && !won),
    hs_deal_stage_probability: probability,
    amount_in_home_currency: amountHome,
    hs_exchange_rate: currency === ctx.currencies.home || rate === null ? null : exchangeRate(rate),
    hs_closed_amount: won ? amount : amount === null ? null : '0',
    hs_closed_amount_in_home_currency: won ? amountHome : amountHome === null ? null : '0',
    days_to_close:
      Number.isNaN(created) || Number.isNaN(closed)
        ? null
        : String(Math.max(0, Math.floor((closed - created) / 86_400_000))),
  };
}

function lineItemDerived(values: PropertyValues): PropertyValues {
  const price = numberOf(values.price);
  const quantity = numberOf(values.quantity);
  if (price === null || quantity === null)
    return { hs_pre_discount_amount: null, hs_total_discount: null, amount: null };
  const gross = roundCents(price * quantity);
  const perUnit = numberOf(values.discount);
  const percent = numberOf(values.hs_discount_percentage);
  const discount =
    perUnit !== null
      ? roundCents(perUnit * quantity)
      : percent !== null
        ? roundCents((gross * percent) / 100)
        : 0;
  return {
    hs_pre_discount_amount: String(gross),
    hs_total_discount: String(discount),
    amount: String(roundCents(gross - discount)),
  };
}

/** The org-local date of an ISO instant. */
export function localDate(iso: string, timezone: string): string | null {
  const day = DateTime.fromISO(iso, { zone: timezone });
  return day.isValid ? day.toFormat('yyyy-MM-dd') : null;
}

function numberOf(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}
