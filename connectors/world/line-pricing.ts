import type { PricedProduct } from './catalog.ts';
import { roundCents } from './money.ts';
import { Weighted, type Random } from './random.ts';

/** One priced line of a deal or a quote, before it becomes a record. */
export interface PricedLine {
  productName: string;
  productCode: string;
  quantity: number;
  listPrice: number;
  unitPrice: number;
  discountPercent: number | null;
  totalPrice: number;
}

const LINE_COUNTS = new Weighted<number>([
  [1, 35],
  [2, 30],
  [3, 20],
  [4, 15],
]);
const LINE_DISCOUNTS = [5, 10, 15, 20];

export function lineTotal(unitPrice: number, quantity: number, discountPercent: number | null): number {
  return roundCents(unitPrice * quantity * (1 - (discountPercent ?? 0) / 100));
}

/**
 * 1–4 lines of distinct products whose total lands near `target` (deal currency) and within
 * [min, max]. `dealDiscount` (0–1) is the negotiated cut from list price; a few lines carry an
 * additional line discount on top.
 */
export function priceLines(
  random: Random,
  priceBook: readonly PricedProduct[],
  target: number,
  dealDiscount: number,
  bounds: { min: number; max: number },
): PricedLine[] {
  const count = LINE_COUNTS.sample(random);
  const weights = Array.from({ length: count }, () => random.range(0.5, 1.5));
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const used = new Set<string>();
  const lines: PricedLine[] = [];
  for (const weight of weights) {
    const share = (target * weight) / weightSum;
    // Products whose unit is small enough that a few units fit the share; the cheapest as a fallback.
    const fitting = priceBook.filter((item) => !used.has(item.product.code) && item.listPrice * 2 <= share);
    const candidates =
      fitting.length > 0 ? fitting : priceBook.filter((item) => !used.has(item.product.code));
    const item = candidates.length > 0 ? random.pick(candidates) : undefined;
    if (!item) break;
    used.add(item.product.code);
    const unitPrice = roundCents(item.listPrice * (1 - dealDiscount));
    const discountPercent = random.chance(0.15) ? random.pick(LINE_DISCOUNTS) : null;
    const effective = unitPrice * (1 - (discountPercent ?? 0) / 100);
    const quantity = Math.min(item.product.maxQuantity, Math.max(1, Math.round(share / effective)));
    lines.push({
      productName: item.product.name,
      productCode: item.product.code,
      quantity,
      listPrice: item.listPrice,
      unitPrice,
      discountPercent,
      totalPrice: lineTotal(unitPrice, quantity, discountPercent),
    });
  }
  fitQuantities(lines, bounds);
  return lines;
}

/** Nudges quantities until the lines' total lies in [min, max] (rounding to whole units can overshoot). */
function fitQuantities(lines: PricedLine[], bounds: { min: number; max: number }): void {
  const total = () => lines.reduce((sum, line) => sum + line.totalPrice, 0);
  const setQuantity = (line: PricedLine, quantity: number) => {
    line.quantity = quantity;
    line.totalPrice = lineTotal(line.unitPrice, quantity, line.discountPercent);
  };
  const perUnit = (line: PricedLine) => line.totalPrice / line.quantity;
  const byUnit = [...lines].sort((a, b) => perUnit(a) - perUnit(b));
  const cheapest = byUnit[0];
  if (!cheapest) return;
  if (total() < bounds.min)
    setQuantity(cheapest, cheapest.quantity + Math.ceil((bounds.min - total()) / perUnit(cheapest)));
  for (const line of byUnit.reverse()) {
    const excess = total() - bounds.max;
    if (excess <= 0) break;
    setQuantity(line, Math.max(1, line.quantity - Math.ceil(excess / perUnit(line))));
  }
}

/** The same lines as an earlier, less discounted version (a quote revised before the final one). */
export function earlierVersion(random: Random, lines: readonly PricedLine[]): PricedLine[] {
  return lines.map((line) => {
    const unitPrice = roundCents(line.unitPrice + (line.listPrice - line.unitPrice) * random.range(0.3, 1));
    const discountPercent = line.discountPercent === null || random.chance(0.5) ? null : line.discountPercent;
    return {
      ...line,
      unitPrice,
      discountPercent,
      totalPrice: lineTotal(unitPrice, line.quantity, discountPercent),
    };
  });
}
