import type { PricedProduct } from './catalog.ts';
import type { EdgeCases } from './edge-cases.ts';
import type { KeySequences } from './keys.ts';
import type { Random } from './random.ts';
import type { RepProfile } from './staff.ts';
import type { WorldTimeline } from './timeline.ts';
import type { WorldQueue } from './types.ts';

/** Everything the builders of one rep's book share. */
export interface BookContext {
  random: Random;
  timeline: WorldTimeline;
  rep: RepProfile;
  queues: readonly WorldQueue[];
  keys: KeySequences;
  edges: EdgeCases;
  multiCurrency: boolean;
  /** Units per USD today, by currency code. */
  rates: ReadonlyMap<string, number>;
  /** Price books by currency code. */
  priceBooks: ReadonlyMap<string, readonly PricedProduct[]>;
  /** How much business this rep generates relative to an average rep (about 0.75–1.25). */
  productivity: number;
  /** This rep's record volume relative to an average full-tenure rep (tenure share × productivity). */
  volume: number;
  /** This rep's chance of winning a deal that runs its course. */
  winRate: number;
}
