import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { StageContext } from '../src/stage.ts';

/**
 * A CRM connector: data plus a few functions, like a kysely Dialect. The stages own persistence,
 * checkpoints and the audit trail; a connector owns the wire (auth, paging, rate limits, quirks)
 * and the SQL that maps its landed records onto the canonical tables.
 */
export interface Connector {
  readonly provider: string;
  /**
   * Every CRM object extraction may read, in extraction order, known without an API call: the
   * scheduler builds one extract job per object. An object the account lacks is skipped by the stage.
   */
  readonly objects: readonly string[];
  /** The most records one write call accepts (Salesforce collections 200, HubSpot batch 100). */
  readonly maxWriteBatch: number;
  /** Authenticates and returns a session for one stage run. */
  open(ctx: StageContext, options?: { refreshSchema?: boolean }): Promise<ConnectorSession>;
  /**
   * Maps landed records with `fromSeq < change_seq <= toSeq` onto the canonical tables (and marks
   * the rep × day pairs whose KPIs they touch), inside the caller's transaction.
   */
  normalize(ctx: StageContext, trx: Transaction<DB>, range: ChangeRange): Promise<NormalizeReport>;
  /** Checks connectivity, objects, fields, permissions and API budget, without writing anything. */
  diagnose(ctx: StageContext): Promise<DoctorCheck[]>;
  /**
   * `attain doctor --fix`: creates what writeback needs in the CRM (fields, objects), idempotently.
   * Absent where that is deployed another way (Salesforce metadata).
   */
  setUp?(ctx: StageContext): Promise<DoctorCheck[]>;
  /** Where KPIs go when the config names no fields: metric + period → CRM field. */
  readonly defaultWritebackFields: readonly WritebackFieldMapping[];
  /** The CRM record a rep's KPIs are written to, or null when the rep has none. */
  writebackRecordKey(rep: { repId: string; crmUserId: string | null }): string | null;
  /**
   * A KPI value as the target field stores it (scale, percent 0–100, picklist label…), so an
   * unchanged KPI always yields the same value and never causes a write.
   */
  toWireValue(metric: string, value: number | string | null, field: WritebackField): WireValue;
}

export interface WritebackFieldMapping {
  /** A rep_period_kpis column, or 'as_of'. */
  metric: string;
  period: 'month' | 'quarter' | 'year';
  /** The CRM field's API name. */
  field: string;
}

export interface WritebackField {
  name: string;
  /** The CRM's type name (Salesforce: percent, currency, double, picklist, datetime…). */
  type: string;
  scale: number;
  picklistValues: string[];
  exists: boolean;
  updateable: boolean;
}

export interface WritebackTarget {
  /** The CRM object written (Salesforce: User). */
  object: string;
  fields: Record<string, WritebackField>;
}

export type WireValue = string | number | boolean | null;

export interface WritebackRecord {
  recordKey: string;
  values: Record<string, WireValue>;
}

export interface WritebackRowResult {
  recordKey: string;
  ok: boolean;
  errors: Array<{ code: string; message: string; fields: string[] }>;
}

export interface DoctorCheck {
  /** What was checked, e.g. 'auth', 'object Opportunity', 'API budget'. */
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
}

export interface ConnectorSession {
  /** Which objects to extract, in order, and which the org cannot provide (with the reason). */
  plan(): Promise<ExtractPlan>;
  /**
   * Pages of one object, starting from its saved state. Each page carries the checkpoint that is
   * true once that page is stored; the stage stores both in one transaction before asking for more.
   */
  extract(object: string, state: ObjectSyncState, options: { full: boolean }): AsyncIterable<ExtractPage>;
  /** Records deleted for good (past the recycle bin) that incremental extraction cannot see. */
  reconcileDeletes(object: string, state: ObjectSyncState): Promise<DeleteReconciliation>;
  /** API calls this session has made (every attempt, client-level retries included). */
  apiCalls(): number;
  /** The CRM's own account of API usage against its daily limit, when it reports one. */
  apiUsage(): ApiUsage | null;
  /** Things worth telling the user about this session (fallbacks taken, features missing). */
  notes(): string[];
  /** The writeback object's metadata for these fields (cached schema; refreshed by doctor). */
  writebackTarget(fields: readonly string[]): Promise<WritebackTarget>;
  /** Writes up to maxWriteBatch records in one call; one result per record, in order. */
  writeRecords(target: WritebackTarget, records: readonly WritebackRecord[]): Promise<WritebackRowResult[]>;
  close(): Promise<void>;
}

export interface ExtractPlan {
  objects: string[];
  skipped: Array<{ object: string; reason: string }>;
}

export interface ObjectSyncState {
  /** Every record with modstamp below this is stored; null until the first backfill completes. */
  watermark: Date | null;
  /** Connector-specific resume point saved with the last stored page. */
  cursor: Record<string, unknown>;
  backfillCompletedAt: Date | null;
  lastReconciledAt: Date | null;
}

export interface LandingRecord {
  crmId: string;
  modstamp: Date | null;
  isDeleted: boolean;
  data: Record<string, unknown>;
}

/** A record the CRM sent that cannot be stored at all (no id, unusable shape), with why. */
export interface RejectedRecord {
  crmId: string;
  reason: string;
}

export interface ExtractPage {
  records: LandingRecord[];
  rejected: RejectedRecord[];
  /** The object's state once this page is stored. */
  checkpoint: Pick<ObjectSyncState, 'watermark' | 'cursor'> & { backfillCompleted: boolean };
}

export type DeleteReconciliation =
  /** These ids were deleted (the CRM's deleted-records feed covered the whole gap). */
  | { kind: 'deleted'; ids: string[]; coveredUntil: Date }
  /** Every id that still exists; stored ids not among them were deleted. */
  | { kind: 'present'; ids: AsyncIterable<string[]>; coveredUntil: Date }
  /** Not due yet, or not applicable to this object. */
  | { kind: 'skipped' };

export interface ApiUsage {
  used: number;
  limit: number;
}

export interface ChangeRange {
  fromSeq: number;
  toSeq: number;
}

export interface NormalizeReport {
  /** Canonical rows inserted or changed, per canonical table. */
  changed: Record<string, number>;
  /** Problems per code (unknown picklist value, bad type…); details are in record_issues. */
  issues: Record<string, number>;
}
