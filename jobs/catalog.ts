import { z } from 'zod';
import type { QueueName } from './queues.ts';

/**
 * What each job carries. Job data sits in Redis in clear text, so payloads hold ids and
 * parameters only — never credentials or tokens: a worker finds a connection's secrets in its own
 * config by `connectionId`. Every schema is strict, so an extra key (a secret slipped in by
 * mistake) is rejected when the job is built and again when a worker reads it.
 */

const connectionId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/);
/** The schedule tick a run belongs to (ISO instant); with the connection it names the run. */
const slot = z.iso.datetime();
const isoDate = z.iso.date();

/** Why a run exists: an incremental tick, or a full refresh (re-extract, recompute everything). */
export const RUN_KINDS = ['sync', 'full'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const extractPayloadSchema = z.strictObject({
  connectionId,
  slot,
  kind: z.enum(RUN_KINDS),
  /** One CRM object (Salesforce sObject, HubSpot object type). */
  object: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/),
});

export const normalizePayloadSchema = z.strictObject({ connectionId, slot, kind: z.enum(RUN_KINDS) });

export const kpisPayloadSchema = z.strictObject({
  connectionId,
  slot,
  kind: z.enum(RUN_KINDS),
  /** Fixed when the flow is built, so a retry computes the same as_of. */
  asOf: isoDate,
});

export const writebackPayloadSchema = z.strictObject({ connectionId, slot, kind: z.enum(RUN_KINDS) });

export const digestPayloadSchema = z.strictObject({
  connectionId,
  slot,
  /** digests.schedules[].name */
  schedule: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
});

export const JOB_PAYLOAD_SCHEMAS = {
  extract: extractPayloadSchema,
  normalize: normalizePayloadSchema,
  kpis: kpisPayloadSchema,
  writeback: writebackPayloadSchema,
  digest: digestPayloadSchema,
} as const satisfies Record<QueueName, z.ZodType>;

export type JobPayloads = { [Q in QueueName]: z.infer<(typeof JOB_PAYLOAD_SCHEMAS)[Q]> };
export type ExtractPayload = JobPayloads['extract'];
export type NormalizePayload = JobPayloads['normalize'];
export type KpisPayload = JobPayloads['kpis'];
export type WritebackPayload = JobPayloads['writeback'];
export type DigestPayload = JobPayloads['digest'];
