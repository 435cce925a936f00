import { IANAZone } from 'luxon';
import type { ResolvedWorldOptions, WorldOptions } from './types.ts';
import { WorldOptionsError } from './world-options-error.ts';

export const DEFAULT_TIMEZONE = 'America/New_York';
export const DEFAULT_FISCAL_YEAR_START_MONTH = 1;
/** Generous upper bound: scale 2000 is about a million records. */
export const MAX_SCALE = 100_000;

/**
 * Applies the defaults and validates. `now` is normalised to a whole-second UTC ISO instant, so
 * two spellings of the same instant ('…-05:00' and '…Z') produce the same world.
 */
export function resolveWorldOptions(options: WorldOptions): ResolvedWorldOptions {
  const { seed, scale } = options;
  if (!Number.isSafeInteger(seed)) throw new WorldOptionsError(`seed must be a safe integer, got ${seed}`);
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_SCALE)
    throw new WorldOptionsError(`scale must be an integer from 1 to ${MAX_SCALE}, got ${scale}`);
  const nowMs = Date.parse(options.now);
  if (Number.isNaN(nowMs)) throw new WorldOptionsError(`now must be an ISO instant, got '${options.now}'`);
  const timezone = options.timezone ?? DEFAULT_TIMEZONE;
  if (!IANAZone.isValidZone(timezone))
    throw new WorldOptionsError(`timezone must be an IANA time zone, got '${timezone}'`);
  const fiscalYearStartMonth = options.fiscalYearStartMonth ?? DEFAULT_FISCAL_YEAR_START_MONTH;
  if (!Number.isInteger(fiscalYearStartMonth) || fiscalYearStartMonth < 1 || fiscalYearStartMonth > 12)
    throw new WorldOptionsError(`fiscalYearStartMonth must be 1–12, got ${fiscalYearStartMonth}`);
  return {
    seed,
    scale,
    now: new Date(Math.floor(nowMs / 1000) * 1000).toISOString(),
    timezone,
    fiscalYearStartMonth,
    multiCurrency: options.multiCurrency ?? true,
  };
}
