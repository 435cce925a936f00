import { sql } from 'kysely';
import type { HubSpotConnectionConfig } from '../../src/config.ts';
import type { StageContext } from '../../src/stage.ts';
import type {
  WireValue,
  WritebackField,
  WritebackFieldMapping,
  WritebackRecord,
  WritebackRowResult,
  WritebackTarget,
} from '../types.ts';
import { classifyHubSpotError } from './classify-error.ts';
import type { HubSpotApi } from './hubspot-api.ts';
import { causeOf, type MetadataCache } from './metadata-cache.ts';

/** The unique property of the scorecard object: the owner id of the rep it belongs to. */
export const SCORECARD_KEY = 'attain_owner_key';

/** Default mapping: attain's KPI properties (`attain doctor --fix` creates them), quarter of as_of. */
export const HUBSPOT_WRITEBACK_DEFAULTS: readonly WritebackFieldMapping[] = [
  { metric: 'attainment', period: 'quarter', field: 'attain_quota_attainment' },
  { metric: 'bookings', period: 'quarter', field: 'attain_bookings' },
  { metric: 'quota', period: 'quarter', field: 'attain_quota' },
  { metric: 'pace_status', period: 'quarter', field: 'attain_pace_status' },
  { metric: 'win_rate', period: 'quarter', field: 'attain_win_rate' },
  { metric: 'avg_cycle_days', period: 'quarter', field: 'attain_avg_cycle_days' },
  { metric: 'avg_discount', period: 'quarter', field: 'attain_avg_discount' },
  { metric: 'pipeline_coverage', period: 'quarter', field: 'attain_pipeline_coverage' },
  { metric: 'as_of', period: 'quarter', field: 'attain_kpis_as_of' },
];

/** pace_status option values and labels of the enumeration property attain creates. */
export const PACE_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ['ahead', 'Ahead'],
  ['on_track', 'On track'],
  ['behind', 'Behind'],
  ['at_risk', 'At risk'],
];

/** KPIs stored as fractions (0–1); HubSpot number properties get them as percentages (0–100). */
export function isRatio(metric: string): boolean {
  return (
    metric.endsWith('_rate') ||
    metric.endsWith('_rate_amount') ||
    ['attainment', 'pace', 'avg_discount', 'avg_discount_lost', 'expected_to_date'].includes(metric)
  );
}

/** KPIs that are whole counts. */
function isCount(metric: string): boolean {
  return /^(leads_|referrals_|calls|connected_calls|emails|meetings|proposals_|opps_|won_with_amount|cycle_count)/.test(
    metric,
  );
}

/**
 * A KPI value as the HubSpot property stores it, as a string (HubSpot's wire form): ratios as
 * percentages, numbers rounded (counts to units, the rest to cents), pace status as its option
 * value, the as-of date as a date (or midnight UTC for a datetime property); no value clears it.
 */
export function toHubSpotValue(
  metric: string,
  value: number | string | null,
  field: WritebackField,
): WireValue {
  if (value === null) return '';
  if (metric === 'as_of') {
    const day = String(value).slice(0, 10);
    return field.type === 'datetime' ? `${day}T00:00:00.000Z` : day;
  }
  if (typeof value === 'number' && field.type === 'number') {
    const scaled = isRatio(metric) ? value * 100 : value;
    const factor = 10 ** (isCount(metric) ? 0 : field.scale);
    return String(Math.round((scaled + Math.sign(scaled) * Number.EPSILON) * factor) / factor);
  }
  return String(value);
}

/** Where KPIs go: a scorecard custom object per owner, or the rep's open deals. */
export type WritebackMode = 'scorecard' | 'deals';

/**
 * KPI writeback for a HubSpot portal. Scorecards: one `batch/upsert` of ≤ 100 records keyed by
 * the owner (idProperty attain_owner_key), each owned by its rep. Deals: `batch/update` of the
 * rep's open deals, ≤ 100 deals per call. 207 error entries (and a whole-batch 400) become
 * per-row failures, retried by the next run; the target's metadata comes from the cache.
 */
export class HubSpotWriteback {
  readonly #ctx: StageContext;
  readonly #connection: HubSpotConnectionConfig;
  readonly #api: HubSpotApi;
  readonly #metadata: MetadataCache;

  constructor(
    ctx: StageContext,
    connection: HubSpotConnectionConfig,
    api: HubSpotApi,
    metadata: MetadataCache,
  ) {
    this.#ctx = ctx;
    this.#connection = connection;
    this.#api = api;
    this.#metadata = metadata;
  }

  /** 'auto' picks the scorecard when the portal has custom objects (the schema API answers). */
  async mode(): Promise<WritebackMode> {
    const { target, scorecardObject } = this.#connection.writeback;
    if (target !== 'auto') return target;
    return (await this.#metadata.schema(scorecardObject)).state === 'unavailable' ? 'deals' : 'scorecard';
  }

  /** The object written (the scorecard's fully qualified name; its schema name while it does not exist) and its fields. */
  async target(names: readonly string[]): Promise<WritebackTarget> {
    let object = 'deals';
    let exists = true;
    if ((await this.mode()) === 'scorecard') {
      const schema = await this.#metadata.schema(this.#connection.writeback.scorecardObject);
      exists = schema.state === 'found';
      object =
        schema.state === 'found' ? schema.fullyQualifiedName : this.#connection.writeback.scorecardObject;
    }
    const found = exists ? await this.#metadata.properties(object) : null;
    const fields: Record<string, WritebackField> = {};
    for (const name of names) {
      const info = found?.available ? found.properties[name] : undefined;
      fields[name] = info
        ? {
            name,
            type: info.type,
            scale: 2,
            picklistValues: Object.keys(info.options),
            exists: true,
            updateable: !info.readOnly,
          }
        : { name, type: 'unknown', scale: 0, picklistValues: [], exists: false, updateable: false };
    }
    return { object, fields };
  }

  async write(target: WritebackTarget, records: readonly WritebackRecord[]): Promise<WritebackRowResult[]> {
    return target.object === 'deals'
      ? this.#writeDeals(records)
      : this.#writeScorecards(target.object, records);
  }

  async #writeScorecards(
    objectType: string,
    records: readonly WritebackRecord[],
  ): Promise<WritebackRowResult[]> {
    const inputs = records.map((record) => ({
      idProperty: SCORECARD_KEY,
      id: record.recordKey,
      properties: { ...wireProperties(record.values), hubspot_owner_id: record.recordKey },
    }));
    const failures = await this.#send(`writeback of ${records.length} scorecards`, () =>
      this.#api.apis.objects.batchApi.upsert(objectType, { inputs }),
    );
    return records.map((record) =>
      result(record.recordKey, failures.get(record.recordKey) ?? failures.get('*')),
    );
  }

  async #writeDeals(records: readonly WritebackRecord[]): Promise<WritebackRowResult[]> {
    const { rows } = await sql<{ owner_rep_id: string; opportunity_id: string }>`
      SELECT owner_rep_id, opportunity_id FROM opportunities
      WHERE connection_id = ${this.#connection.id} AND owner_rep_id = ANY(${records.map((r) => r.recordKey)}::text[])
        AND NOT is_closed AND NOT is_deleted
      ORDER BY owner_rep_id, opportunity_id`.execute(this.#ctx.db);
    const byRep = new Map(records.map((record) => [record.recordKey, record]));
    const inputs = rows.map((row) => ({
      id: row.opportunity_id,
      rep: row.owner_rep_id,
      properties: wireProperties(byRep.get(row.owner_rep_id)!.values),
    }));
    const failedReps = new Map<string, { code: string; message: string }>();
    for (let offset = 0; offset < inputs.length; offset += 100) {
      const chunk = inputs.slice(offset, offset + 100);
      const failures = await this.#send(`writeback of ${chunk.length} deals`, () =>
        this.#api.apis.objects.batchApi.update('deals', {
          inputs: chunk.map(({ id, properties }) => ({ id, properties })),
        }),
      );
      for (const input of chunk) {
        const failure = failures.get(input.id) ?? failures.get('*');
        if (failure && !failedReps.has(input.rep)) failedReps.set(input.rep, failure);
      }
    }
    return records.map((record) => result(record.recordKey, failedReps.get(record.recordKey)));
  }

  /**
   * One batch call; the failures by id ('*' for all, when HubSpot rejects the whole batch with a
   * 400). Anything else that fails the call (after retries) is thrown.
   */
  async #send(
    what: string,
    call: () => Promise<object>,
  ): Promise<Map<string, { code: string; message: string }>> {
    const failures = new Map<string, { code: string; message: string }>();
    try {
      const response = (await this.#api.call(what, call)) as { errors?: BatchError[] };
      for (const error of response.errors ?? [])
        for (const id of error.context?.ids ?? [])
          failures.set(id, { code: error.category, message: error.message });
    } catch (error) {
      const classified = classifyHubSpotError(causeOf(error));
      if (classified.status !== 400) throw error;
      failures.set('*', { code: classified.code, message: classified.message });
    }
    return failures;
  }
}

/** An error entry of a 207 answer. */
interface BatchError {
  category: string;
  message: string;
  context?: { ids?: string[] };
}

function wireProperties(values: Record<string, WireValue>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, value === null ? '' : String(value)]),
  );
}

function result(
  recordKey: string,
  failure: { code: string; message: string } | undefined,
): WritebackRowResult {
  return failure
    ? { recordKey, ok: false, errors: [{ code: failure.code, message: failure.message, fields: [] }] }
    : { recordKey, ok: true, errors: [] };
}
