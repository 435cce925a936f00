/** The price book: what the synthetic company sells, with list prices in the home currency (USD). */
export interface Product {
  code: string;
  name: string;
  /** List price per unit in USD. */
  listPriceUsd: number;
  /** The largest quantity one line plausibly carries. */
  maxQuantity: number;
}

export const PRODUCTS: readonly Product[] = [
  { code: 'PLAT-ENT', name: 'Platform Enterprise Edition (annual)', listPriceUsd: 24_000, maxQuantity: 4 },
  { code: 'PLAT-PRO', name: 'Platform Professional Edition (annual)', listPriceUsd: 9_600, maxQuantity: 6 },
  { code: 'SEAT-STD', name: 'Standard User Seat (annual)', listPriceUsd: 480, maxQuantity: 400 },
  { code: 'SEAT-ADV', name: 'Advanced User Seat (annual)', listPriceUsd: 960, maxQuantity: 250 },
  { code: 'ANL-ADD', name: 'Analytics Add-on (annual)', listPriceUsd: 6_000, maxQuantity: 5 },
  { code: 'INT-CON', name: 'Integration Connector (annual)', listPriceUsd: 3_600, maxQuantity: 10 },
  { code: 'SUP-PRM', name: 'Premium Support (annual)', listPriceUsd: 7_200, maxQuantity: 3 },
  { code: 'SVC-ONB', name: 'Onboarding Package', listPriceUsd: 4_500, maxQuantity: 5 },
  { code: 'SVC-TRN', name: 'Training Day', listPriceUsd: 2_000, maxQuantity: 15 },
  { code: 'SVC-PS', name: 'Professional Services (hour)', listPriceUsd: 220, maxQuantity: 600 },
];

/** A product priced in one currency's price book. */
export interface PricedProduct {
  product: Product;
  listPrice: number;
}

/**
 * Each currency's price book: USD list prices converted at the static rate and rounded to whole
 * units, as a RevOps team maintains a EUR or GBP price book.
 */
export function priceBook(rate: number): PricedProduct[] {
  return PRODUCTS.map((product) => ({ product, listPrice: Math.round(product.listPriceUsd * rate) }));
}
