import { z } from 'zod';

/**
 * Per-connection Salesforce options besides credentials. Every option has a default that is right
 * for a production org; they exist for orgs that are unusual (huge, slow, or customised).
 */
export const salesforceSyncSchema = z.strictObject({
  /** Windows end at server time minus this lag, so rows still committing are read next run. */
  lagSeconds: z.int().min(0).max(3600).default(300),
  /** Each incremental window starts this far before the previous window's end (overlap is harmless). */
  lookbackSeconds: z.int().min(0).max(86_400).default(120),
  /** Backfill through Bulk API 2.0 when COUNT() of an object is at least this; below it, REST. */
  bulkThreshold: z.int().min(0).default(50_000),
  /** Rows per Bulk 2.0 results page (`maxRecords`). Each object being extracted holds one page
   * and prefetches the next; 10,000 keeps a backfill's memory nearly flat as the org grows (50,000
   * took peak RSS from 0.5 to 0.74 GB at scale 2000) for one API call per 10,000 records. */
  bulkPageSize: z.int().min(1000).max(200_000).default(10_000),
  /** Seconds to wait for a Bulk 2.0 query job before giving up on it (and falling back to REST). */
  bulkTimeoutSeconds: z.int().min(10).default(1800),
  /** Rows per REST query page (`Sforce-Query-Options: batchSize`, 200–2000). */
  queryBatchSize: z.int().min(200).max(2000).default(2000),
  /** Objects extracted at the same time by one sync (each fetches while another is stored). */
  parallelObjects: z.int().min(1).max(8).default(2),
  /** Stop a run cleanly (state saved) once the org has used this share of its daily API limit. */
  maxDailyApiShare: z.number().gt(0).max(1).default(0.8),
  /** First delay of attain's own retries of POST/PATCH calls (jsforce retries GETs itself); doubles each time. */
  retryDelayMs: z.int().min(0).max(60_000).default(1000),
  /** How often deleted-record reconciliation runs (getDeleted, or Id reconciliation past 30 days). */
  reconcileEveryHours: z.number().min(1).default(24),
  /** describe results are cached this long (a failed query on a missing field refreshes them). */
  describeCacheHours: z.number().min(0).default(24),
  /** Extra fields to extract, per object: `{ Opportunity: [Segment__c] }`. Must exist in the org. */
  customFields: z.record(z.string(), z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/))).default({}),
});

/** How this org's values map to KPI semantics (KPIS.md). */
export const salesforceMappingSchema = z.strictObject({
  /** Task.CallDisposition values that count as a connected call. */
  connectedCallDispositions: z.array(z.string()).default(['Connected']),
  /** An Event field holding the meeting outcome (e.g. a custom picklist), or none. */
  meetingOutcomeField: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
    .nullable()
    .default(null),
  /** Outcome values meaning the meeting did not happen (canceled, no-show). */
  canceledMeetingOutcomes: z.array(z.string()).default(['Canceled', 'Cancelled', 'No Show', 'No-Show']),
  /** Quote.Status values meaning the proposal was sent to the buyer. */
  submittedQuoteStatuses: z.array(z.string()).default(['Presented', 'Accepted', 'Denied']),
  /** Quote.Status values meaning the buyer accepted it. */
  acceptedQuoteStatuses: z.array(z.string()).default(['Accepted']),
});

export type SalesforceSyncSettings = z.infer<typeof salesforceSyncSchema>;
export type SalesforceMapping = z.infer<typeof salesforceMappingSchema>;
