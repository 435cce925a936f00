import { z } from 'zod';
import { writebackSchema } from '../../src/writeback/settings.ts';
import { CALL_OUTCOME_GUIDS, LEAD_STAGES } from './builtins.ts';

/** How attain reaches a portal: a private app's access token (or an OAuth access token). */
export const hubspotCredentialsSchema = z.strictObject({
  /** `pat-…` private app token; register the scopes listed in the README. A secret: use ${ENV}. */
  accessToken: z.string().min(1),
  /** API base URL, no trailing slash (the client would call `//crm/…`). */
  basePath: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((url) => url.replace(/\/+$/, ''))
    .default('https://api.hubapi.com'),
  /** The portal (hub) id, shown in doctor output and used to name custom objects. */
  portalId: z.int().positive().optional(),
});

const propertyName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be a HubSpot property name (lower case)');

/**
 * Per-connection sync options. Every default suits a production portal on any tier; the rate
 * limits are per portal and shared by every app in it, so attain stays below them by default.
 */
export const hubspotSyncSchema = z.strictObject({
  /** Search windows end at server time minus this lag (search indexes writes a few seconds late). */
  lagSeconds: z.int().min(0).max(3600).default(60),
  /** Each incremental window starts this far before the previous one ended (overlap is harmless). */
  lookbackSeconds: z.int().min(0).max(86_400).default(300),
  /** A second, delayed search pass re-reads changes this far behind, for late-indexed records; 0 = off. */
  delayedPassLagSeconds: z.int().min(0).max(86_400).default(3600),
  /** Records per search page (HubSpot's maximum is 200). */
  searchPageSize: z.int().min(1).max(200).default(200),
  /** Records per list page during a backfill (HubSpot's maximum is 100). */
  listPageSize: z.int().min(1).max(100).default(100),
  /** Requests per rolling 10 seconds this connection may send (Free/Starter portals allow 100, Pro+ 190). */
  requestsPer10s: z.int().min(1).max(10_000).default(100),
  /** Search requests per second (HubSpot allows 5 per portal). */
  searchPerSecond: z.int().min(1).max(1000).default(4),
  /** Objects extracted at the same time by one sync (each fetches while another is stored). */
  parallelObjects: z.int().min(1).max(8).default(2),
  /** Stop a run cleanly (state saved) once the portal has used this share of its daily API limit. */
  maxDailyApiShare: z.number().gt(0).max(1).default(0.8),
  /** Attempts after a 429, 5xx, timeout or network error before a call fails. */
  maxRetries: z.int().min(0).max(10).default(5),
  /** First delay of retries after a 5xx or network error; doubles each time (429s wait Retry-After). */
  retryDelayMs: z.int().min(0).max(60_000).default(1000),
  /** A call that has not answered after this long counts as failed (the client has no timeout). */
  requestTimeoutSeconds: z.int().min(1).max(600).default(120),
  /** How often archived (deleted) records are looked for through `archived=true` lists. */
  archivedCheckMinutes: z.int().min(0).max(10_080).default(60),
  /** Property definitions and schemas are cached this long (doctor and `sync --full` refresh them). */
  propertiesCacheHours: z.number().min(0).default(24),
  /** Extra properties to extract, per object type: `{ deals: [segment] }`. Must exist in the portal. */
  customProperties: z.record(z.string(), z.array(propertyName)).default({}),
});

/** Where the manager tree comes from: HubSpot owners have no manager field. */
const managerTreeSchema = z.discriminatedUnion('source', [
  /** Team leads: an owner's manager is the additional (non-main) member of the owner's main team. */
  z.strictObject({ source: z.literal('teams') }),
  /** An explicit map of rep email → manager email. */
  z.strictObject({ source: z.literal('mapping'), managers: z.record(z.string(), z.string()) }),
  /** No tree: every rep stands alone (only org roll-ups). */
  z.strictObject({ source: z.literal('none') }),
]);

/** How this portal's values map to KPI semantics (KPIS.md). */
export const hubspotMappingSchema = z.strictObject({
  /** hs_call_disposition outcome GUIDs that count as a connected call (default: HubSpot's Connected). */
  connectedCallOutcomes: z.array(z.string()).default([CALL_OUTCOME_GUIDS.connected]),
  /** hs_meeting_outcome values meaning the meeting did not happen. */
  canceledMeetingOutcomes: z.array(z.string()).default(['CANCELED', 'NO_SHOW']),
  /** hs_status values meaning the quote was published to the buyer. */
  submittedQuoteStatuses: z.array(z.string()).default(['APPROVAL_NOT_NEEDED', 'APPROVED']),
  /** What makes a published quote accepted (spec §4.3: HubSpot has no single flag). */
  acceptedQuoteRule: z
    .array(z.enum(['signed', 'manuallySigned', 'paid', 'dealWon']))
    .min(1)
    .default(['signed', 'manuallySigned', 'paid', 'dealWon']),
  /** Lead pipeline stages that mean the lead converted. */
  convertedLeadStages: z.array(z.string()).default([LEAD_STAGES.qualified.id]),
  /** The lead datetime property holding when it entered its (converted) stage. */
  leadConvertedDateProperty: propertyName.default('hs_v2_date_entered_current_stage'),
  /** The lead enumeration property holding the lead source (a custom property; null = none). */
  leadSourceProperty: propertyName.nullable().default('lead_source'),
  /** hs_goal_name values of revenue quotas; null = every goal target is a revenue quota. */
  quotaGoalNames: z.array(z.string()).min(1).nullable().default(null),
  managerTree: managerTreeSchema.default({ source: 'teams' }),
});

/** Writeback options: the shared ones plus where HubSpot keeps a rep's KPIs. */
export const hubspotWritebackSchema = writebackSchema.extend({
  /**
   * 'scorecard': one custom-object record per owner (Enterprise); 'deals': properties on the rep's
   * open deals; 'auto' (default): the scorecard where the portal has custom objects, else deals.
   */
  target: z.enum(['auto', 'scorecard', 'deals']).default('auto'),
  /** The scorecard custom object's name (its schema name, not the p<portal>_ form). */
  scorecardObject: propertyName.default('attain_rep_scorecard'),
  /** The property group `attain doctor --fix` creates the KPI properties in. */
  propertyGroup: propertyName.default('attain'),
});

export type HubSpotCredentials = z.infer<typeof hubspotCredentialsSchema>;
export type HubSpotSyncSettings = z.infer<typeof hubspotSyncSchema>;
export type HubSpotMapping = z.infer<typeof hubspotMappingSchema>;
export type HubSpotWritebackSettings = z.infer<typeof hubspotWritebackSchema>;
