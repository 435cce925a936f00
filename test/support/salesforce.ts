import { sql, type Kysely } from 'kysely';
import { SALESFORCE_CATALOG } from '../../connectors/salesforce/catalog.ts';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/emulator.ts';
import type { DB } from '../../db/schema.ts';
import type { Config } from '../../src/config.ts';
import { salesforceTestConfig } from './stage-context.ts';

/** A config whose one Salesforce connection logs in to `emulator` with the client credentials flow. */
export function configForEmulator(
  emulator: SalesforceEmulator,
  options: {
    id?: string;
    sync?: Record<string, unknown>;
    mapping?: Record<string, unknown>;
    org?: Record<string, unknown>;
    writeback?: Record<string, unknown>;
    extra?: Record<string, unknown>;
  } = {},
): Config {
  return salesforceTestConfig({
    ...(options.id ? { id: options.id } : {}),
    ...(options.org ? { org: options.org } : {}),
    ...(options.extra ? { extra: options.extra } : {}),
    connection: {
      salesforce: {
        flow: 'client_credentials',
        loginUrl: emulator.url,
        clientId: emulator.credentials.clientId,
        clientSecret: emulator.credentials.clientSecret,
      },
      sync: { lagSeconds: 0, retryDelayMs: 10, ...options.sync },
      mapping: { meetingOutcomeField: 'Meeting_Outcome__c', ...options.mapping },
      ...(options.writeback ? { writeback: options.writeback } : {}),
    },
  });
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** The same value whichever wire format carried it (REST '+0000' vs landed ISO 'Z'). */
function canonical(value: unknown): unknown {
  if (typeof value === 'string' && DATETIME.test(value)) return new Date(value).toISOString();
  return value ?? null;
}

/**
 * Every difference between what the warehouse landed and the emulator's ground truth, for every
 * object attain extracts and every field it keeps. Empty means equal. Records deleted in the org
 * must be landed as deleted; records purged from the org must be landed as deleted or absent.
 */
export async function differencesFromGroundTruth(
  db: Kysely<DB>,
  emulator: SalesforceEmulator,
  connectionId: string,
  options: { customFields?: Record<string, string[]> } = {},
): Promise<string[]> {
  const truth = emulator.store.groundTruth();
  const differences: string[] = [];
  for (const entry of SALESFORCE_CATALOG) {
    const records = (truth[entry.name] ?? []).filter(
      (record) => entry.name !== 'Task' || ['Call', 'Email'].includes(String(record.TaskSubtype)),
    );
    const landed = await db
      .selectFrom('crm_records')
      .select(['crm_id', 'is_deleted', 'data'])
      .where('connection_id', '=', connectionId)
      .where('object', '=', entry.name)
      .execute();
    const byId = new Map(landed.map((row) => [row.crm_id, row]));
    const sample = records[0];
    const kept = [...entry.fields, ...(options.customFields?.[entry.name] ?? [])].filter(
      (field) => sample === undefined || field in sample,
    );
    for (const record of records) {
      const id = String(record.Id);
      const row = byId.get(id);
      if (!row) {
        differences.push(`${entry.name} ${id}: missing`);
        continue;
      }
      byId.delete(id);
      for (const field of kept) {
        const expected = canonical(record[field]);
        const actual = canonical(row.data[field]);
        if (JSON.stringify(expected) !== JSON.stringify(actual)) {
          differences.push(
            `${entry.name} ${id}.${field}: expected ${JSON.stringify(expected)}, landed ${JSON.stringify(actual)}`,
          );
        }
      }
      if (row.is_deleted !== (record.IsDeleted === true)) {
        differences.push(
          `${entry.name} ${id}: is_deleted ${row.is_deleted}, org says ${record.IsDeleted === true}`,
        );
      }
    }
    // Left over: landed records the org no longer has (purged) must be marked deleted.
    for (const [id, row] of byId)
      if (!row.is_deleted)
        differences.push(`${entry.name} ${id}: purged in the org but live in the warehouse`);
  }
  return differences;
}

/** The shipped Attain_Pace_Status__c picklist labels. */
const PACE_LABELS: Record<string, string> = {
  ahead: 'Ahead',
  on_track: 'On Track',
  behind: 'Behind',
  at_risk: 'At Risk',
};

/**
 * Every difference between the default writeback fields on each active rep's User record in the
 * emulated org and that rep's current-quarter row of rep_period_kpis at `asOf` (default: the
 * latest as_of computed), converted independently of the product's own formatting. `checked` is
 * the number of reps compared; empty `differences` means equal.
 */
export async function writebackDifferences(
  db: Kysely<DB>,
  emulator: SalesforceEmulator,
  connectionId: string,
  asOf?: string,
): Promise<{ asOf: string | null; checked: number; differences: string[] }> {
  const at =
    asOf ??
    (
      await sql<{ as_of: string | null }>`
        SELECT max(as_of)::text AS as_of FROM rep_period_kpis WHERE connection_id = ${connectionId}`.execute(
        db,
      )
    ).rows[0]?.as_of ??
    null;
  if (at === null) return { asOf: null, checked: 0, differences: ['no KPI rows to compare'] };
  const { rows } = await sql<Record<string, unknown>>`
    SELECT k.rep_id, k.attainment, k.bookings, k.quota, k.pace_status, k.win_rate, k.avg_cycle_days, k.avg_discount, k.pipeline_coverage
    FROM rep_period_kpis k JOIN reps r USING (connection_id, rep_id)
    WHERE k.connection_id = ${connectionId} AND k.scope = 'rep' AND k.period_type = 'quarter' AND k.as_of = ${at}
      AND k.period_start <= ${at} AND k.period_end >= ${at} AND r.is_active AND NOT r.is_deleted
      AND r.crm_user_id IS NOT NULL`.execute(db);
  const users = new Map(emulator.store.groundTruth().User!.map((user) => [String(user.Id), user]));
  const pct = (value: unknown) => (value === null ? null : Math.round(Number(value) * 10_000) / 100);
  const money = (value: unknown) => (value === null ? null : Math.round(Number(value) * 100) / 100);
  const differences: string[] = [];
  for (const row of rows) {
    const user = users.get(String(row.rep_id));
    if (!user) {
      differences.push(`User ${String(row.rep_id)}: not in the org`);
      continue;
    }
    const expected: Record<string, unknown> = {
      Attain_Quota_Attainment__c: pct(row.attainment),
      Attain_Bookings__c: money(row.bookings),
      Attain_Quota__c: money(row.quota),
      Attain_Pace_Status__c: row.pace_status === null ? null : PACE_LABELS[String(row.pace_status)],
      Attain_Win_Rate__c: pct(row.win_rate),
      Attain_Avg_Cycle_Days__c:
        row.avg_cycle_days === null ? null : Math.round(Number(row.avg_cycle_days) * 10) / 10,
      Attain_Avg_Discount__c: pct(row.avg_discount),
      Attain_Pipeline_Coverage__c: money(row.pipeline_coverage),
      Attain_KPIs_As_Of__c: at,
    };
    for (const [field, value] of Object.entries(expected)) {
      const actual = field === 'Attain_KPIs_As_Of__c' ? String(user[field]).slice(0, 10) : user[field];
      if (JSON.stringify(actual ?? null) !== JSON.stringify(value))
        differences.push(
          `User ${String(row.rep_id)}.${field}: KPI table says ${JSON.stringify(value)}, org has ${JSON.stringify(actual ?? null)}`,
        );
    }
  }
  return { asOf: at, checked: rows.length, differences };
}
