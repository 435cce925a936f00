import { IANAZone } from 'luxon';
import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';

/**
 * The config sections of production mode (worker, scheduler, queues, schedules):
 *
 * ```yaml
 * schedules:
 *   sync: '*\/15 * * * *'         # incremental runs (extract → normalize → kpis → writeback); null = none
 *   fullRefresh: '0 3 * * 0'      # full re-extract + KPI recompute; default none
 *   timezone: America/New_York    # the crons' zone; default org.timezone
 *   connections:                  # per-connection overrides
 *     sf-prod: { sync: '*\/5 * * * *' }
 * worker:
 *   concurrency: { extract: 4, normalize: 2, kpis: 2, writeback: 2, digest: 1 }
 *   shutdownTimeoutSeconds: 30
 *   httpPort: 9464
 *   lockDurationSeconds: 30       # a killed worker's job is picked up again after about this long
 *   stalledIntervalSeconds: 30
 *   maxStalledCount: 1
 * scheduler:
 *   httpPort: 9465
 * queue:
 *   prefix: attain
 *   attempts: 5                   # tries per job, first included
 *   backoffSeconds: 10            # first retry delay, doubled each time (a CRM's Retry-After wins if longer)
 *   maxBackoffSeconds: 900
 *   keepCompletedSeconds: 86400   # finished jobs stay this long (they also keep a slot's job ids taken)
 *   keepFailedSeconds: 604800
 * connections:
 *   - id: sf-prod
 *     rateLimit: { requests: 25, intervalSeconds: 1 }   # shared by every worker process (0 = unlimited)
 * ```
 *
 * Digest schedules stay under `digests.schedules`; the scheduler runs them too.
 */

const cron = z
  .string()
  .refine(
    (value) => isValidCron(value),
    'not a valid cron expression (node-cron syntax, e.g. "*/15 * * * *")',
  );
const timeZone = z.string().refine((value) => IANAZone.isValidZone(value), {
  message: 'not an IANA time zone (e.g. America/New_York)',
});
const port = z.int().min(0).max(65_535);
const seconds = z.number().positive();

const connectionSchedulesSchema = z.strictObject({
  sync: cron.nullable().optional(),
  fullRefresh: cron.nullable().optional(),
  timezone: timeZone.optional(),
});

const schedulesObject = z.strictObject({
  sync: cron.nullable().default('*/15 * * * *'),
  fullRefresh: cron.nullable().default(null),
  timezone: timeZone.optional(),
  /** Keyed by connection id; each key overrides the global value it names. */
  connections: z.record(z.string(), connectionSchedulesSchema).default({}),
});
export const schedulesSchema = schedulesObject.default(() => schedulesObject.parse({}));

const concurrencyObject = z.strictObject({
  extract: z.int().min(1).max(256).default(4),
  normalize: z.int().min(1).max(256).default(2),
  kpis: z.int().min(1).max(256).default(2),
  writeback: z.int().min(1).max(256).default(2),
  digest: z.int().min(1).max(256).default(1),
});

const workerObject = z.strictObject({
  /** Jobs one worker process runs at once, per queue. */
  concurrency: concurrencyObject.default(() => concurrencyObject.parse({})),
  /** After SIGTERM the active jobs get this long to stop at a safe point and be handed back. */
  shutdownTimeoutSeconds: seconds.max(3600).default(30),
  /** /healthz, /readyz, /metrics; 0 = any free port. */
  httpPort: port.default(9464),
  /** A job's lock lives this long unless renewed; a killed worker's job is retried after it expires. */
  lockDurationSeconds: seconds.default(30),
  /** How often workers look for jobs whose lock expired (stalled jobs). */
  stalledIntervalSeconds: seconds.default(30),
  /** Stalls a job survives before it is failed (a job that keeps killing its worker). */
  maxStalledCount: z.int().min(0).max(10).default(1),
});
export const workerSchema = workerObject.default(() => workerObject.parse({}));

const schedulerObject = z.strictObject({
  /** /healthz, /readyz, /metrics; 0 = any free port. */
  httpPort: port.default(9465),
});
export const schedulerSchema = schedulerObject.default(() => schedulerObject.parse({}));

const queueObject = z.strictObject({
  /** BullMQ key prefix: several attain installations can share one Redis under different prefixes. */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "-" and "_" only')
    .default('attain'),
  attempts: z.int().min(1).max(100).default(5),
  backoffSeconds: z.number().min(0).default(10),
  maxBackoffSeconds: z.number().min(0).default(900),
  keepCompletedSeconds: z.int().min(60).default(86_400),
  keepFailedSeconds: z
    .int()
    .min(60)
    .default(7 * 86_400),
});
export const queueSchema = queueObject.default(() => queueObject.parse({}));

/**
 * `connections[].rateLimit`: the CRM account's request rate, shared through Redis by every worker
 * process (`requests` per `intervalSeconds`; 0 = unlimited), with the provider's defaults.
 */
export function rateLimitSchemaFor(defaults: { requests: number; intervalSeconds: number }) {
  const object = z.strictObject({
    requests: z.int().min(0).default(defaults.requests),
    intervalSeconds: seconds.max(86_400).default(defaults.intervalSeconds),
  });
  return object.default(() => object.parse({}));
}

/**
 * Salesforce meters a rolling day, not seconds; the default only keeps a fleet of workers from
 * bursting at one org (25 requests a second across all of them).
 */
export const rateLimitSchema = rateLimitSchemaFor({ requests: 25, intervalSeconds: 1 });

export type QueueSettings = z.infer<typeof queueSchema>;
