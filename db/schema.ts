import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types for kysely. Value conventions (set by the type parsers in database.ts, the same on
 * PostgreSQL and PGlite): timestamptz → Date, date → 'YYYY-MM-DD' string, numeric and bigint →
 * number, jsonb → parsed JSON.
 */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type RequiredTimestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = unknown> = ColumnType<T, string | T, string | T>;
type DefaultedJson<T = unknown> = ColumnType<T, string | T | undefined, string | T>;
type DateString = string;

export interface CrmRecordsTable {
  connection_id: string;
  object: string;
  crm_id: string;
  modstamp: Date | null;
  is_deleted: Generated<boolean>;
  data: Json<Record<string, unknown>>;
  synced_at: Timestamp;
  change_seq: Generated<number>;
}

export interface SyncCursor {
  [key: string]: unknown;
}

export interface SyncStateTable {
  connection_id: string;
  object: string;
  watermark: Date | null;
  cursor: DefaultedJson<SyncCursor>;
  backfill_completed_at: Date | null;
  last_reconciled_at: Date | null;
  last_run_id: number | null;
  records_synced: Generated<number>;
  updated_at: Timestamp;
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'budget_stopped' | 'partial';
export type StageName = 'run' | 'sync' | 'normalize' | 'kpis' | 'writeback' | 'digest';

export interface RunsTable {
  id: Generated<number>;
  connection_id: string;
  stage: StageName;
  parent_run_id: number | null;
  status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
  trigger: Generated<string>;
  as_of: DateString | null;
  started_at: Timestamp;
  finished_at: Date | null;
  counts: DefaultedJson<Record<string, number>>;
  api_calls: Generated<number>;
  report: DefaultedJson<Record<string, unknown>>;
  error: string | null;
}

export interface RecordIssuesTable {
  connection_id: string;
  stage: string;
  object: string;
  crm_id: string;
  field: Generated<string>;
  code: string;
  message: string;
  run_id: number | null;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface RepsTable {
  connection_id: string;
  rep_id: string;
  name: string | null;
  email: string | null;
  title: string | null;
  manager_id: string | null;
  crm_user_id: string | null;
  is_active: Generated<boolean>;
  is_deleted: Generated<boolean>;
  updated_at: Timestamp;
}

export interface LeadsTable {
  connection_id: string;
  lead_id: string;
  owner_rep_id: string;
  created_at: Date | null;
  is_converted: Generated<boolean>;
  converted_on: DateString | null;
  source: string | null;
  status: string | null;
  is_deleted: Generated<boolean>;
  updated_at: Timestamp;
}

export type ActivityKind = 'call' | 'email' | 'meeting';

export interface ActivitiesTable {
  connection_id: string;
  activity_id: string;
  kind: ActivityKind;
  owner_rep_id: string;
  occurred_at: Date | null;
  occurred_on: DateString | null;
  is_completed: Generated<boolean>;
  direction: 'outbound' | 'inbound' | null;
  outcome: string | null;
  is_connected: Generated<boolean>;
  is_canceled: Generated<boolean>;
  is_child: Generated<boolean>;
  is_archived: Generated<boolean>;
  is_deleted: Generated<boolean>;
  updated_at: Timestamp;
}

export interface OpportunitiesTable {
  connection_id: string;
  opportunity_id: string;
  owner_rep_id: string;
  name: string | null;
  stage: string | null;
  is_closed: Generated<boolean>;
  is_won: Generated<boolean>;
  amount: number | null;
  currency: string | null;
  amount_home: number | null;
  home_rate: number | null;
  probability: number | null;
  forecast_category: string | null;
  created_at: Date | null;
  close_date: DateString | null;
  lead_source: string | null;
  is_deleted: Generated<boolean>;
  updated_at: Timestamp;
}

export interface ProposalsTable {
  connection_id: string;
  proposal_id: string;
  opportunity_id: string | null;
  owner_rep_id: string;
  status: string | null;
  is_submitted: Generated<boolean>;
  is_accepted: Generated<boolean>;
  is_syncing: Generated<boolean>;
  created_at: Date | null;
  subtotal: number | null;
  total_price: number | null;
  currency: string | null;
  is_deleted: Generated<boolean>;
  updated_at: Timestamp;
}

export interface LineItemsTable {
  connection_id: string;
  line_item_id: string;
  opportunity_id: string | null;
  proposal_id: string | null;
  quantity: number | null;
  list_price: number | null;
  unit_price: number | null;
  total_price: number | null;
  is_deleted: Generated<boolean>;
  updated_at: Timestamp;
}

export interface QuotasTable {
  connection_id: string;
  source: 'crm' | 'file';
  quota_id: string;
  rep_id: string;
  period_start: DateString;
  period_end: DateString;
  amount: number;
  currency: string | null;
  is_deleted: Generated<boolean>;
  updated_at: Timestamp;
}

export interface CurrencyRatesTable {
  connection_id: string;
  source: 'static' | 'dated';
  currency: string;
  start_date: ColumnType<DateString, DateString | undefined, DateString>;
  end_date: DateString | null;
  rate: number;
  is_corporate: Generated<boolean>;
}

export interface NormalizeStateTable {
  connection_id: string;
  last_change_seq: Generated<number>;
  updated_at: Timestamp;
}

export type KpiScope = 'rep' | 'team' | 'org';
export type PeriodType = 'month' | 'quarter' | 'year';
export type PaceStatus = 'ahead' | 'on_track' | 'behind' | 'at_risk';

export interface RepPeriodKpisTable {
  connection_id: string;
  scope: KpiScope;
  rep_id: string;
  period_type: PeriodType;
  period_start: DateString;
  period_end: DateString;
  as_of: DateString;
  period_label: string;
  leads_created: Generated<number>;
  leads_converted: Generated<number>;
  leads_created_converted: Generated<number>;
  lead_conversion_rate: number | null;
  referrals_received: Generated<number>;
  calls: Generated<number>;
  connected_calls: Generated<number>;
  emails: Generated<number>;
  meetings: Generated<number>;
  proposals_submitted: Generated<number>;
  proposals_accepted: Generated<number>;
  proposal_acceptance_rate: number | null;
  opps_created: Generated<number>;
  opps_won: Generated<number>;
  opps_lost: Generated<number>;
  win_rate: number | null;
  won_amount: Generated<number>;
  lost_amount: Generated<number>;
  win_rate_amount: number | null;
  bookings: Generated<number>;
  won_with_amount: Generated<number>;
  avg_deal_size: number | null;
  cycle_days_sum: Generated<number>;
  cycle_count: Generated<number>;
  avg_cycle_days: number | null;
  median_cycle_days: number | null;
  discount_gross: Generated<number>;
  discount_amount: Generated<number>;
  avg_discount: number | null;
  discount_gross_lost: Generated<number>;
  discount_amount_lost: Generated<number>;
  avg_discount_lost: number | null;
  pipeline: Generated<number>;
  pipeline_weighted: Generated<number>;
  quota: number | null;
  attainment: number | null;
  expected_to_date: number;
  pace: number | null;
  pace_status: PaceStatus | null;
  pipeline_coverage: number | null;
  run_id: number | null;
  computed_at: Timestamp;
  input_count: Generated<number>;
  rep_rows: Generated<number>;
  rep_rows_with_quota: Generated<number>;
  /** See migration 0009: a hash sum of the won deals' cycle days (guards median recomputes). */
  cycle_days_fingerprint: Generated<number>;
}

export interface KpiDirtyTable {
  connection_id: string;
  rep_id: string;
  /** First day of the org-local month whose KPI inputs changed. */
  month_start: DateString;
}

export interface KpiStateTable {
  connection_id: string;
  as_of: DateString;
  settings_hash: string;
  full_required: Generated<boolean>;
  computed_at: Timestamp;
}

export interface WritebackStateTable {
  connection_id: string;
  target_object: string;
  record_id: string;
  field: string;
  value: string | null;
  run_id: number | null;
  written_at: Timestamp;
}

export interface WritebackResultsTable {
  id: Generated<number>;
  connection_id: string;
  run_id: number | null;
  target_object: string;
  record_id: string;
  field: string;
  value: string | null;
  status: 'succeeded' | 'failed';
  error_code: string | null;
  message: string | null;
  attempt: Generated<number>;
  created_at: Timestamp;
}

export interface DigestLogTable {
  id: Generated<number>;
  connection_id: string;
  schedule: string;
  recipient: string;
  channel: 'email' | 'slack';
  slot: RequiredTimestamp;
  status: ColumnType<'sending' | 'sent' | 'failed', 'sending' | 'sent' | 'failed' | undefined>;
  attempts: Generated<number>;
  manager_rep_id: string | null;
  snapshot: Json<Record<string, unknown>> | null;
  message_id: string | null;
  error: string | null;
  created_at: Timestamp;
  sent_at: Date | null;
  claimed_at: Timestamp;
  run_id: number | null;
  destination: string | null;
}

export interface CrmMetadataTable {
  connection_id: string;
  key: string;
  value: Json<unknown>;
  fetched_at: Timestamp;
}

export interface DB {
  crm_records: CrmRecordsTable;
  sync_state: SyncStateTable;
  runs: RunsTable;
  record_issues: RecordIssuesTable;
  reps: RepsTable;
  leads: LeadsTable;
  activities: ActivitiesTable;
  opportunities: OpportunitiesTable;
  proposals: ProposalsTable;
  line_items: LineItemsTable;
  quotas: QuotasTable;
  currency_rates: CurrencyRatesTable;
  normalize_state: NormalizeStateTable;
  rep_period_kpis: RepPeriodKpisTable;
  kpi_dirty: KpiDirtyTable;
  kpi_state: KpiStateTable;
  writeback_state: WritebackStateTable;
  writeback_results: WritebackResultsTable;
  digest_log: DigestLogTable;
  crm_metadata: CrmMetadataTable;
}

export type Run = Selectable<RunsTable>;
export type NewRun = Insertable<RunsTable>;
export type RunUpdate = Updateable<RunsTable>;
export type RepPeriodKpi = Selectable<RepPeriodKpisTable>;
