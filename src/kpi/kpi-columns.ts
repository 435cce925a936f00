/**
 * The columns of rep_period_kpis, grouped by how the engine produces them.
 *
 * Additive columns are sums and counts: a quarter is the sum of its months, a team the sum of its
 * reps. Every ratio is stored next to its numerator and denominator and recomputed from them at
 * each level, never averaged.
 */
export const ADDITIVE_COLUMNS = [
  'input_count',
  'leads_created',
  'leads_converted',
  'leads_created_converted',
  'referrals_received',
  'calls',
  'connected_calls',
  'emails',
  'meetings',
  'proposals_submitted',
  'proposals_accepted',
  'opps_created',
  'opps_won',
  'opps_lost',
  'won_amount',
  'lost_amount',
  'bookings',
  'won_with_amount',
  'cycle_days_sum',
  'cycle_count',
  'discount_gross',
  'discount_amount',
  'discount_gross_lost',
  'discount_amount_lost',
  'pipeline',
  'pipeline_weighted',
  // not a KPI: changes exactly when the cycle days the medians are taken over change (migration 0009)
  'cycle_days_fingerprint',
] as const;

export type AdditiveColumn = (typeof ADDITIVE_COLUMNS)[number];

/** Columns computed from the additive ones, the quota, the period and as_of. */
export const DERIVED_COLUMNS = [
  'lead_conversion_rate',
  'proposal_acceptance_rate',
  'win_rate',
  'win_rate_amount',
  'avg_deal_size',
  'avg_cycle_days',
  'median_cycle_days',
  'avg_discount',
  'avg_discount_lost',
  'quota',
  'attainment',
  'expected_to_date',
  'pace',
  'pace_status',
  'pipeline_coverage',
] as const;

export type DerivedColumn = (typeof DERIVED_COLUMNS)[number];

/** Every KPI value of a row (what the closed-period change report compares). */
export const KPI_VALUE_COLUMNS = [
  ...ADDITIVE_COLUMNS.filter((column) => column !== 'input_count' && column !== 'cycle_days_fingerprint'),
  ...DERIVED_COLUMNS,
] as const;

/** Columns that are NOT NULL with default 0 in rep_period_kpis: an absent row means 0 there. */
export function isZeroWhenAbsent(column: string): boolean {
  return (ADDITIVE_COLUMNS as readonly string[]).includes(column);
}
