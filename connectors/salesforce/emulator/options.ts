import type { World } from '../../world/types.ts';
import { ControlError } from '../../emulator-kit/control-error.ts';
import type { FixtureData } from './fixture.ts';
import type { BulkJobState } from './query/bulk-jobs.ts';
import type { OrgFeatures } from './schema/sobject-defs.ts';

/** The credentials the emulator accepts; JWT bearer accepts any RS256 JWT with `iss` = clientId. */
export interface AcceptedCredentials {
  clientId: string;
  clientSecret: string;
  /** Defaults to the world's integration user. */
  username: string;
  password: string;
  /** A refresh token the refresh_token grant accepts, as if from an earlier web-server flow. */
  refreshToken: string;
}

export interface SalesforceEmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** World generator seed. Default 1. */
  seed?: number;
  /** Number of sales reps in the generated world. Default 5. */
  scale?: number;
  /** The world's and the emulator clock's "now" (ISO instant). Default: the current time. */
  now?: string;
  /** Org time zone of a generated world. Default America/New_York. */
  timezone?: string;
  /** First fiscal month of a generated world (1–12). Default 1. */
  fiscalYearStartMonth?: number;
  /** An already generated world (tests share one); wins over seed/scale. */
  world?: World;
  /** A fixture file in Salesforce's JSON record shape, loaded instead of a generated world. */
  dataFile?: string;
  /** Fixture data given inline; same shape as `dataFile`. */
  data?: FixtureData;
  /**
   * Org features. Defaults: quotes and forecasting on; multiCurrency follows the world (or, for a
   * fixture, whether any record carries CurrencyIsoCode).
   */
  features?: Partial<OrgFeatures>;
  /** Calls per rolling 24 hours before 403 REQUEST_LIMIT_EXCEEDED. Default 15000. */
  dailyApiLimit?: number;
  /** REST query page size. Default 2000; `Sforce-Query-Options: batchSize` is clamped to 200..2000 and can only lower it. */
  queryPageSize?: number;
  /** Bulk 2.0 result page size when the request has no `maxRecords`. Default 10000. */
  bulkPageSize?: number;
  /** Access-token lifetime (emulator time). Default 7200. */
  tokenTtlSeconds?: number;
  /** Query-cursor lifetime (emulator time). Default 172800 (two days). */
  locatorTtlSeconds?: number;
  /** States a Bulk 2.0 query job reports, one per status poll. Default UploadComplete, InProgress, JobComplete. */
  bulkJobStates?: BulkJobState[];
  /** Delay added to every API response. Default 0. */
  latencyMs?: number;
  /** Concurrent long-running requests allowed before 403 ConcurrentPerOrgLongTxn. Default 25. */
  concurrentLongRunningLimit?: number;
  /** A request counts as long-running after this long. Default 20000. */
  longRunningThresholdMs?: number;
  /** Overrides of the accepted credentials. */
  credentials?: Partial<AcceptedCredentials>;
}

export interface EmulatorSettings {
  dailyApiLimit: number;
  queryPageSize: number;
  bulkPageSize: number;
  tokenTtlSeconds: number;
  locatorTtlSeconds: number;
  bulkJobStates: BulkJobState[];
  latencyMs: number;
  concurrentLongRunningLimit: number;
  longRunningThresholdMs: number;
}

export const DEFAULTS = {
  seed: 1,
  scale: 5,
  dailyApiLimit: 15_000,
  queryPageSize: 2000,
  bulkPageSize: 10_000,
  tokenTtlSeconds: 7200,
  locatorTtlSeconds: 172_800,
  bulkJobStates: ['UploadComplete', 'InProgress', 'JobComplete'] as BulkJobState[],
  latencyMs: 0,
  concurrentLongRunningLimit: 25,
  longRunningThresholdMs: 20_000,
  clientId: 'attain-emulator-client-id',
  clientSecret: 'attain-emulator-client-secret',
  password: 'attain-emulator-password',
  refreshToken: 'attain-emulator-refresh-token',
} as const;

export function resolveSettings(options: SalesforceEmulatorOptions): EmulatorSettings {
  const positive = (name: string, value: number) => {
    if (!Number.isFinite(value) || value < 0)
      throw new RangeError(`${name} must be a non-negative number, got ${value}`);
    return value;
  };
  return {
    dailyApiLimit: positive('dailyApiLimit', options.dailyApiLimit ?? DEFAULTS.dailyApiLimit),
    queryPageSize: Math.max(1, positive('queryPageSize', options.queryPageSize ?? DEFAULTS.queryPageSize)),
    bulkPageSize: Math.max(1, positive('bulkPageSize', options.bulkPageSize ?? DEFAULTS.bulkPageSize)),
    tokenTtlSeconds: positive('tokenTtlSeconds', options.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds),
    locatorTtlSeconds: positive('locatorTtlSeconds', options.locatorTtlSeconds ?? DEFAULTS.locatorTtlSeconds),
    bulkJobStates: checkStates(options.bulkJobStates ?? [...DEFAULTS.bulkJobStates]),
    latencyMs: positive('latencyMs', options.latencyMs ?? DEFAULTS.latencyMs),
    concurrentLongRunningLimit: positive(
      'concurrentLongRunningLimit',
      options.concurrentLongRunningLimit ?? DEFAULTS.concurrentLongRunningLimit,
    ),
    longRunningThresholdMs: positive(
      'longRunningThresholdMs',
      options.longRunningThresholdMs ?? DEFAULTS.longRunningThresholdMs,
    ),
  };
}

const JOB_STATES: readonly BulkJobState[] = [
  'UploadComplete',
  'InProgress',
  'JobComplete',
  'Failed',
  'Aborted',
];

export function checkStates(states: BulkJobState[]): BulkJobState[] {
  if (!Array.isArray(states) || states.length === 0 || states.some((s) => !JOB_STATES.includes(s))) {
    throw new ControlError(`bulkJobStates must be a non-empty list of ${JOB_STATES.join(', ')}`);
  }
  return [...states];
}
