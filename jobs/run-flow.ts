import type { FlowJob, JobsOptions } from 'bullmq';
import { connectorFor } from '../connectors/registry.ts';
import type { Config, ConnectionConfig } from '../src/config.ts';
import { localDate } from '../src/kpi/fiscal-calendar.ts';
import { kpiSettingsOf } from '../src/kpi/settings.ts';
import {
  extractPayloadSchema,
  kpisPayloadSchema,
  normalizePayloadSchema,
  writebackPayloadSchema,
  type RunKind,
} from './catalog.ts';
import { extractJobId, kpisJobId, normalizeJobId, runJobId } from './job-ids.ts';
import type { QueueSettings } from './settings.ts';

/** The options every attain job gets: retries with attain's backoff, and how long it is kept. */
export function jobOptions(queue: QueueSettings): JobsOptions {
  return {
    attempts: queue.attempts,
    // 'crm' is the worker's own strategy (failure-policy.ts): exponential, honouring Retry-After.
    backoff: { type: 'crm', delay: queue.backoffSeconds * 1000 },
    // Finished jobs stay a while: that keeps a slot's ids taken, so a scheduler replica that fires
    // late cannot enqueue the same run again once it has finished.
    removeOnComplete: { age: queue.keepCompletedSeconds },
    removeOnFail: { age: queue.keepFailedSeconds },
  };
}

/**
 * One scheduled run of a connection as a BullMQ flow (a parent starts when all its children are
 * done, so the tree is inverted):
 *
 *   writeback (root) ← kpis ← normalize ← extract × each CRM object
 *
 * Every job fails its parent when it fails for good (failParentOnFailure): KPIs are never computed
 * from an object whose extraction failed, and the run as a whole is failed and visible. A budget
 * stop is not a failure: the extract completes with what it stored and the run skips writeback.
 * Every payload is built through its schema: ids and parameters only.
 */
export function buildRunFlow(
  config: Config,
  connection: ConnectionConfig,
  slot: Date,
  kind: RunKind,
): FlowJob {
  const options = jobOptions(config.queue);
  const child = { ...options, failParentOnFailure: true };
  const base = { connectionId: connection.id, slot: slot.toISOString(), kind };
  const asOf = localDate(slot, kpiSettingsOf(config).timezone);
  return {
    name: 'writeback',
    queueName: 'writeback',
    data: writebackPayloadSchema.parse(base),
    opts: { ...options, jobId: runJobId(connection.id, slot) },
    children: [
      {
        name: 'kpis',
        queueName: 'kpis',
        data: kpisPayloadSchema.parse({ ...base, asOf }),
        opts: { ...child, jobId: kpisJobId(connection.id, slot) },
        children: [
          {
            name: 'normalize',
            queueName: 'normalize',
            data: normalizePayloadSchema.parse(base),
            opts: { ...child, jobId: normalizeJobId(connection.id, slot) },
            children: connectorFor(connection.provider).objects.map((object) => ({
              name: 'extract',
              queueName: 'extract',
              data: extractPayloadSchema.parse({ ...base, object }),
              opts: { ...child, jobId: extractJobId(connection.id, object, slot) },
            })),
          },
        ],
      },
    ],
  };
}
