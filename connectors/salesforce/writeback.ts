import type {
  WireValue,
  WritebackField,
  WritebackFieldMapping,
  WritebackRecord,
  WritebackRowResult,
  WritebackTarget,
} from '../types.ts';
import type { DescribeCache } from './describe.ts';
import type { SalesforceApi } from './salesforce-api.ts';

/** The object KPIs are written to: the rep's own User record. */
export const WRITEBACK_OBJECT = 'User';

/**
 * Default mapping: the custom User fields shipped in connectors/salesforce/metadata (deploy them
 * with the Salesforce CLI), all for the fiscal quarter containing as_of.
 */
export const SALESFORCE_WRITEBACK_DEFAULTS: readonly WritebackFieldMapping[] = [
  { metric: 'attainment', period: 'quarter', field: 'Attain_Quota_Attainment__c' },
  { metric: 'bookings', period: 'quarter', field: 'Attain_Bookings__c' },
  { metric: 'quota', period: 'quarter', field: 'Attain_Quota__c' },
  { metric: 'pace_status', period: 'quarter', field: 'Attain_Pace_Status__c' },
  { metric: 'win_rate', period: 'quarter', field: 'Attain_Win_Rate__c' },
  { metric: 'avg_cycle_days', period: 'quarter', field: 'Attain_Avg_Cycle_Days__c' },
  { metric: 'avg_discount', period: 'quarter', field: 'Attain_Avg_Discount__c' },
  { metric: 'pipeline_coverage', period: 'quarter', field: 'Attain_Pipeline_Coverage__c' },
  { metric: 'as_of', period: 'quarter', field: 'Attain_KPIs_As_Of__c' },
];

/** Picklist labels for pace_status (the shipped Attain_Pace_Status__c values). */
const PACE_LABELS: Record<string, string> = {
  ahead: 'Ahead',
  on_track: 'On Track',
  behind: 'Behind',
  at_risk: 'At Risk',
};

const NUMBER_TYPES = new Set(['double', 'currency', 'percent', 'int', 'long']);

/**
 * A KPI value as Salesforce stores it in `field`: percent fields hold 0–100, numbers are rounded
 * to the field's scale, pace status uses its picklist label, the as-of date goes into a date or
 * datetime field as that day. Ratios stored 0–1 in the warehouse become 0–100 only for percent.
 */
export function toSalesforceValue(
  metric: string,
  value: number | string | null,
  field: WritebackField,
): WireValue {
  if (value === null) return null;
  if (metric === 'as_of') {
    const day = String(value);
    return field.type === 'datetime' ? `${day}T00:00:00.000Z` : day;
  }
  if (typeof value === 'number' && NUMBER_TYPES.has(field.type)) {
    const scaled = field.type === 'percent' && isRatio(metric) ? value * 100 : value;
    return roundTo(scaled, field.type === 'int' ? 0 : field.scale);
  }
  if (metric === 'pace_status') return PACE_LABELS[String(value)] ?? String(value);
  return typeof value === 'number' ? roundTo(value, field.scale) : value;
}

/** Metrics stored as fractions (0–1) in rep_period_kpis. */
function isRatio(metric: string): boolean {
  return (
    metric.endsWith('_rate') ||
    metric === 'attainment' ||
    metric === 'pace' ||
    metric === 'avg_discount' ||
    metric === 'avg_discount_lost' ||
    metric === 'expected_to_date' ||
    metric === 'win_rate_amount'
  );
}

/** Decimal rounding that does not fall for binary representation (1.005 → 1.01). */
export function roundTo(value: number, scale: number): number {
  const factor = 10 ** scale;
  return Math.round((value + Math.sign(value) * Number.EPSILON) * factor) / factor;
}

export async function salesforceWritebackTarget(
  describe: DescribeCache,
  names: readonly string[],
): Promise<WritebackTarget> {
  const info = await describe.object(WRITEBACK_OBJECT);
  const fields: Record<string, WritebackField> = {};
  for (const name of names) {
    const found = info.fields[name];
    fields[name] = found
      ? {
          name,
          type: found.type,
          scale: found.scale,
          picklistValues: found.picklistValues,
          exists: true,
          updateable: found.updateable,
        }
      : { name, type: 'unknown', scale: 0, picklistValues: [], exists: false, updateable: false };
  }
  return { object: WRITEBACK_OBJECT, fields };
}

interface SaveResult {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode?: string; errorCode?: string; message: string; fields?: string[] }>;
}

/**
 * One sObject Collections PATCH (≤ 200 records, allOrNone false, so one bad record never holds
 * the others back). Per-record errors are read from `statusCode` (what the wire carries, whatever
 * jsforce's types say). The PATCH is idempotent, so attain retries it on 429/5xx.
 */
export async function writeSalesforceRecords(
  api: SalesforceApi,
  target: WritebackTarget,
  records: readonly WritebackRecord[],
): Promise<WritebackRowResult[]> {
  const body = {
    allOrNone: false,
    records: records.map((record) => ({
      attributes: { type: target.object },
      id: record.recordKey,
      ...record.values,
    })),
  };
  const results = await api.send<SaveResult[]>(
    'PATCH',
    '/composite/sobjects',
    body,
    `writeback of ${records.length} ${target.object} records`,
  );
  return records.map((record, index) => {
    const result = results[index];
    if (!result) {
      return {
        recordKey: record.recordKey,
        ok: false,
        errors: [{ code: 'NO_RESULT', message: 'Salesforce returned no result for this record', fields: [] }],
      };
    }
    return {
      recordKey: record.recordKey,
      ok: result.success,
      errors: (result.errors ?? []).map((error) => ({
        code: error.statusCode ?? error.errorCode ?? 'UNKNOWN',
        message: error.message,
        fields: error.fields ?? [],
      })),
    };
  });
}
