import type { World } from '../../world/types.ts';
import type { FixtureData } from './fixture.ts';

/** Portal features; a feature that is off makes its objects answer 403 MISSING_SCOPES. */
export interface PortalFeatures {
  /** The leads object (Sales Hub Professional/Enterprise). */
  leads: boolean;
  quotes: boolean;
  /** goal_targets (quotas). */
  goals: boolean;
  /** Custom object schemas (Enterprise). */
  customObjects: boolean;
  multiCurrency: boolean;
}

export interface HubSpotEmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** World generator seed. Default 1. */
  seed?: number;
  /** Number of sales reps in the generated world. Default 5. */
  scale?: number;
  /** The world's and the emulator clock's "now" (ISO instant). Default: the current time. */
  now?: string;
  /** Portal time zone of a generated world. Default America/New_York. */
  timezone?: string;
  /** First fiscal month of a generated world (1–12). Default 1. */
  fiscalYearStartMonth?: number;
  /** An already generated world (tests share one); wins over seed/scale. */
  world?: World;
  /** A fixture file in HubSpot's own JSON shape, loaded instead of a generated world. */
  dataFile?: string;
  /** Fixture data given inline; same shape as `dataFile`. */
  data?: FixtureData;
  /** Portal features. Defaults: everything on; multiCurrency follows the world / fixture. */
  features?: Partial<PortalFeatures>;
  /** The portal (hub) id. Default 4242. */
  portalId?: number;
  /** Bearer tokens accepted (private app tokens). Default one token, see DEFAULTS. */
  accessTokens?: string[];
  /** Requests per rolling 10 seconds before 429 TEN_SECONDLY_ROLLING. Default 190. */
  requestsPer10s?: number;
  /** Search requests per second before 429 SECONDLY. Default 5. */
  searchPerSecond?: number;
  /** Requests per day (portal time zone) before 429 DAILY. Default 1,000,000. */
  dailyApiLimit?: number;
  /** Search sees a write this long after it happened (indexing lag). Default 0. */
  searchVisibilityDelayMs?: number;
  /** Archived records are purged this many days after archiving (decided at load). Default 90. */
  archiveRetentionDays?: number;
  /** 429 bodies without `category` (the older form). Default false. */
  legacyRateLimitBodies?: boolean;
  /** Batch update of unknown ids: per-item 207 errors (default) or a whole-batch 400. */
  batchNotFound?: '207' | '400';
  /** Delay added to every API response. Default 0. */
  latencyMs?: number;
}

export interface EmulatorSettings {
  portalId: number;
  accessTokens: string[];
  requestsPer10s: number;
  searchPerSecond: number;
  dailyApiLimit: number;
  searchVisibilityDelayMs: number;
  archiveRetentionDays: number;
  legacyRateLimitBodies: boolean;
  batchNotFound: '207' | '400';
  latencyMs: number;
}

export const DEFAULTS = {
  seed: 1,
  scale: 5,
  portalId: 4242,
  accessToken: 'pat-na1-attain-emulator',
  requestsPer10s: 190,
  searchPerSecond: 5,
  dailyApiLimit: 1_000_000,
  searchVisibilityDelayMs: 0,
  archiveRetentionDays: 90,
  latencyMs: 0,
} as const;

/** Hard limits of the API (spec §2.4). */
export const LIMITS = {
  listDefault: 10,
  listMax: 100,
  searchDefault: 10,
  searchMax: 200,
  searchResultCap: 10_000,
  batchMax: 100,
  associationBatchMax: 1000,
  associationPageMax: 500,
  ownersDefault: 100,
  ownersMax: 500,
  filterGroupsMax: 5,
  filtersPerGroupMax: 10,
  filtersMax: 25,
  queryMaxLength: 3000,
} as const;

export function resolveSettings(options: HubSpotEmulatorOptions): EmulatorSettings {
  const nonNegative = (name: string, value: number) => {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`${name} must be a non-negative number, got ${value}`);
    return value;
  };
  const tokens = options.accessTokens ?? [DEFAULTS.accessToken];
  if (tokens.length === 0 || tokens.some((token) => typeof token !== 'string' || token === ''))
    throw new RangeError('accessTokens must be a non-empty list of non-empty strings');
  return {
    portalId: nonNegative('portalId', options.portalId ?? DEFAULTS.portalId),
    accessTokens: [...tokens],
    requestsPer10s: nonNegative('requestsPer10s', options.requestsPer10s ?? DEFAULTS.requestsPer10s),
    searchPerSecond: nonNegative('searchPerSecond', options.searchPerSecond ?? DEFAULTS.searchPerSecond),
    dailyApiLimit: nonNegative('dailyApiLimit', options.dailyApiLimit ?? DEFAULTS.dailyApiLimit),
    searchVisibilityDelayMs: nonNegative(
      'searchVisibilityDelayMs',
      options.searchVisibilityDelayMs ?? DEFAULTS.searchVisibilityDelayMs,
    ),
    archiveRetentionDays: nonNegative(
      'archiveRetentionDays',
      options.archiveRetentionDays ?? DEFAULTS.archiveRetentionDays,
    ),
    legacyRateLimitBodies: options.legacyRateLimitBodies ?? false,
    batchNotFound: options.batchNotFound ?? '207',
    latencyMs: nonNegative('latencyMs', options.latencyMs ?? DEFAULTS.latencyMs),
  };
}
