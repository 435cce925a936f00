import type { SalesforceConnectionConfig } from '../../src/config.ts';
import { ConfigError, type ConfigIssue } from '../../src/errors/config-error.ts';
import type { StageContext } from '../../src/stage.ts';
import type {
  ApiUsage,
  ConnectorSession,
  DeleteReconciliation,
  ExtractPage,
  ExtractPlan,
  ObjectSyncState,
  WritebackRecord,
  WritebackRowResult,
  WritebackTarget,
} from '../types.ts';
import { BulkUnavailableError } from './bulk-unavailable-error.ts';
import { SALESFORCE_CATALOG, catalogObject, type CatalogObject } from './catalog.ts';
import { classifySalesforceError, toAttainError } from './classify-error.ts';
import { connectSalesforce, type SalesforceConnection } from './connect.ts';
import { DescribeCache } from './describe.ts';
import { extractBulk, startBulkBackfill, type BulkCursor } from './extract-bulk.ts';
import { extractRest, type RestCursor } from './extract-rest.ts';
import { SalesforceApi, type ObjectQuery } from './salesforce-api.ts';
import { salesforceWritebackTarget, writeSalesforceRecords } from './writeback.ts';

/** Reference objects are small in every org: backfill them with REST, no COUNT() probe. */
const SMALL_OBJECTS = new Set(['CurrencyType', 'DatedConversionRate', 'User', 'Period', 'ForecastingQuota']);
/** getDeleted covers at most 30 days back; beyond that, list every id. */
const GET_DELETED_MAX_DAYS = 29;

export async function openSalesforceSession(ctx: StageContext, options: { refreshDescribe?: boolean } = {}) {
  const connection = ctx.connection as SalesforceConnectionConfig;
  const opened = await connectSalesforce(connection.salesforce, ctx.logger);
  return new SalesforceSession(ctx, connection, opened, options.refreshDescribe ?? false);
}

export class SalesforceSession implements ConnectorSession {
  readonly api: SalesforceApi;
  readonly describe: DescribeCache;
  readonly #ctx: StageContext;
  readonly #connection: SalesforceConnectionConfig;
  readonly #opened: SalesforceConnection;
  readonly #queries = new Map<string, ObjectQuery>();
  readonly #notes: string[] = [];

  constructor(
    ctx: StageContext,
    connection: SalesforceConnectionConfig,
    opened: SalesforceConnection,
    refreshDescribe: boolean,
  ) {
    this.#ctx = ctx;
    this.#connection = connection;
    this.#opened = opened;
    this.api = new SalesforceApi({
      connectionId: connection.id,
      rateLimiter: ctx.rateLimiter,
      conn: opened.conn,
      transport: opened.transport,
      logger: ctx.logger.child({ connection: connection.id }),
      settings: connection.sync,
      signal: ctx.signal,
      retryDelayMs: connection.sync.retryDelayMs,
    });
    this.describe = new DescribeCache({
      db: ctx.db,
      connectionId: connection.id,
      conn: opened.conn,
      maxAgeHours: connection.sync.describeCacheHours,
      refresh: refreshDescribe,
    });
  }

  async plan(): Promise<ExtractPlan> {
    const available = await this.describe.objectNames();
    const objects: string[] = [];
    const skipped: ExtractPlan['skipped'] = [];
    for (const entry of SALESFORCE_CATALOG) {
      if (available.has(entry.name)) objects.push(entry.name);
      else skipped.push({ object: entry.name, reason: skipReason(entry) });
    }
    const issues = await this.configuredFieldIssues(objects);
    if (issues.length > 0) throw new ConfigError(`connection ${this.#connection.id}`, issues);
    return { objects, skipped };
  }

  async *extract(
    object: string,
    state: ObjectSyncState,
    options: { full: boolean },
  ): AsyncGenerator<ExtractPage> {
    const query = await this.objectQuery(object);
    const cursor = options.full ? {} : state.cursor;
    const targetEnd = new Date(
      this.api.serverNow().getTime() - this.#connection.sync.lagSeconds * 1000,
    ).toISOString();

    if (cursor.mode === 'bulk') {
      yield* this.#bulkOrFallback(query, cursor as unknown as BulkCursor);
      return;
    }
    if (cursor.mode === 'rest') {
      yield* extractRest(this.api, query, cursor as unknown as RestCursor);
      return;
    }
    if (state.watermark === null || options.full) {
      if (
        !SMALL_OBJECTS.has(object) &&
        (await this.#count(query, targetEnd)) >= this.#connection.sync.bulkThreshold
      ) {
        let bulk: BulkCursor | null = null;
        try {
          bulk = await startBulkBackfill(this.api, query, targetEnd);
        } catch (error) {
          if (!(error instanceof BulkUnavailableError)) throw error;
          this.#notes.push(`${object}: ${error.message}; backfilled through REST instead`);
        }
        if (bulk) {
          yield* this.#bulkOrFallback(query, bulk);
          return;
        }
      }
      yield* extractRest(this.api, query, {
        mode: 'rest',
        windowStart: null,
        windowEnd: targetEnd,
        targetEnd,
        after: null,
      });
      return;
    }
    const windowStart = new Date(
      state.watermark.getTime() - this.#connection.sync.lookbackSeconds * 1000,
    ).toISOString();
    yield* extractRest(this.api, query, {
      mode: 'rest',
      windowStart,
      windowEnd: targetEnd,
      targetEnd,
      after: null,
    });
  }

  async reconcileDeletes(object: string, state: ObjectSyncState): Promise<DeleteReconciliation> {
    const query = await this.objectQuery(object);
    if (!query.info.replicateable || !query.info.fields.IsDeleted || state.watermark === null)
      return { kind: 'skipped' };
    const now = this.api.serverNow();
    const last = state.lastReconciledAt;
    if (last && now.getTime() - last.getTime() < this.#connection.sync.reconcileEveryHours * 3_600_000) {
      return { kind: 'skipped' };
    }
    if (last && now.getTime() - last.getTime() < GET_DELETED_MAX_DAYS * 86_400_000) {
      try {
        return await this.#getDeleted(object, last, now);
      } catch (error) {
        if (classifySalesforceError(error).code !== 'INVALID_REPLICATION_DATE')
          throw toAttainError(error, `getDeleted of ${object}`);
      }
    }
    return { kind: 'present', ids: this.#listIds(query), coveredUntil: now };
  }

  apiCalls(): number {
    return this.#opened.transport.attempts;
  }

  apiUsage(): ApiUsage | null {
    const usage = this.#opened.conn.limitInfo?.apiUsage;
    return usage && usage.limit > 0 ? { used: usage.used, limit: usage.limit } : null;
  }

  notes(): string[] {
    return [...this.#notes];
  }

  async close(): Promise<void> {}

  writebackTarget(fields: readonly string[]): Promise<WritebackTarget> {
    return salesforceWritebackTarget(this.describe, fields);
  }

  writeRecords(target: WritebackTarget, records: readonly WritebackRecord[]): Promise<WritebackRowResult[]> {
    return writeSalesforceRecords(this.api, target, records);
  }

  /** The SOQL shape of an object: catalog fields the org has, plus configured custom fields. */
  async objectQuery(object: string): Promise<ObjectQuery> {
    const cached = this.#queries.get(object);
    if (cached) return cached;
    const entry = catalogObject(object);
    const info = await this.describe.object(object);
    const wanted = [...entry.fields, ...this.#customFields(object)];
    const fields = [...new Set(wanted.filter((name) => info.fields[name]))];
    const modstampField = ['SystemModstamp', 'LastModifiedDate', 'CreatedDate'].find(
      (name) => info.fields[name]?.filterable,
    );
    if (!modstampField)
      throw toAttainError(
        new Error(`${object} has no filterable modification timestamp`),
        `describe of ${object}`,
      );
    const query: ObjectQuery = { object, fields, modstampField, where: entry.where, info };
    this.#queries.set(object, query);
    return query;
  }

  #customFields(object: string): string[] {
    const fields = [...(this.#connection.sync.customFields[object] ?? [])];
    if (object === 'Event' && this.#connection.mapping.meetingOutcomeField)
      fields.push(this.#connection.mapping.meetingOutcomeField);
    return fields;
  }

  /** Configured custom fields (and the meeting outcome field) that the org does not have. */
  async configuredFieldIssues(objects: string[]): Promise<ConfigIssue[]> {
    const index = this.#ctx.config.connections.indexOf(this.#connection);
    const at = `connections[${index}]`;
    const issues: ConfigIssue[] = [];
    for (const [object, fields] of Object.entries(this.#connection.sync.customFields)) {
      if (!SALESFORCE_CATALOG.some((entry) => entry.name === object)) {
        issues.push({
          path: `${at}.sync.customFields.${object}`,
          message: `attain does not extract ${object}`,
        });
        continue;
      }
      if (!objects.includes(object)) {
        issues.push({
          path: `${at}.sync.customFields.${object}`,
          message: `${object} is not available in this org`,
        });
        continue;
      }
      const info = await this.describe.object(object);
      fields.forEach((field, i) => {
        if (!info.fields[field])
          issues.push({
            path: `${at}.sync.customFields.${object}[${i}]`,
            message: `field ${object}.${field} does not exist`,
          });
      });
    }
    const outcome = this.#connection.mapping.meetingOutcomeField;
    if (outcome && !(await this.describe.object('Event')).fields[outcome]) {
      issues.push({
        path: `${at}.mapping.meetingOutcomeField`,
        message: `field Event.${outcome} does not exist`,
      });
    }
    return issues;
  }

  async *#bulkOrFallback(query: ObjectQuery, cursor: BulkCursor): AsyncGenerator<ExtractPage> {
    try {
      yield* extractBulk(this.api, query, cursor);
    } catch (error) {
      if (!(error instanceof BulkUnavailableError)) throw error;
      this.#notes.push(`${query.object}: ${error.message}; backfilled through REST instead`);
      const targetEnd = cursor.targetEnd;
      yield* extractRest(this.api, query, {
        mode: 'rest',
        windowStart: null,
        windowEnd: targetEnd,
        targetEnd,
        after: null,
      });
    }
  }

  async #count(query: ObjectQuery, before: string): Promise<number> {
    const where = [`${query.modstampField} < ${before}`, ...(query.where ? [`(${query.where})`] : [])].join(
      ' AND ',
    );
    try {
      const result = await this.api.get<{ totalSize: number }>(
        `/queryAll?q=${encodeURIComponent(`SELECT COUNT() FROM ${query.object} WHERE ${where}`)}`,
      );
      return result.totalSize;
    } catch (error) {
      // Too many rows to even count in time: certainly a job for Bulk.
      if (classifySalesforceError(error).kind === 'query_timeout') return Number.POSITIVE_INFINITY;
      throw toAttainError(error, `COUNT() of ${query.object}`, this.api.retryAfterMs());
    }
  }

  async #getDeleted(object: string, since: Date, until: Date): Promise<DeleteReconciliation> {
    // Overlap by an hour: getDeleted works in whole minutes and deletes commit late too.
    const start = formatReplicationDate(new Date(since.getTime() - 3_600_000));
    const end = formatReplicationDate(until);
    const result = await this.api.get<{ deletedRecords: Array<{ id: string }>; latestDateCovered: string }>(
      `/sobjects/${object}/deleted/?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`,
    );
    return {
      kind: 'deleted',
      ids: result.deletedRecords.map((record) => record.id),
      coveredUntil: new Date(result.latestDateCovered ?? until),
    };
  }

  async *#listIds(query: ObjectQuery): AsyncGenerator<string[]> {
    const soql = `SELECT Id FROM ${query.object}${query.where ? ` WHERE ${query.where}` : ''}`;
    let next: string | undefined = `/queryAll?q=${encodeURIComponent(soql)}`;
    while (next) {
      const page: { records: Array<{ Id: string }>; nextRecordsUrl?: string; done: boolean } = await this.api
        .get<{ records: Array<{ Id: string }>; nextRecordsUrl?: string; done: boolean }>(
          next,
          this.api.queryHeaders,
        )
        .catch((error: unknown) => {
          throw toAttainError(error, `id reconciliation of ${query.object}`, this.api.retryAfterMs());
        });
      yield page.records.map((record) => record.Id);
      next = page.done ? undefined : page.nextRecordsUrl;
    }
  }
}

function skipReason(entry: CatalogObject): string {
  switch (entry.feature) {
    case 'quotes':
      return 'Quotes are not enabled in this org';
    case 'forecasting':
      return 'Collaborative Forecasts (ForecastingQuota) are not enabled in this org';
    case 'multiCurrency':
      return 'the org is single-currency';
    default:
      return `${entry.name} is not queryable by the integration user`;
  }
}

/** getDeleted takes UTC times without milliseconds: 2024-01-01T00:00:00+00:00. */
function formatReplicationDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}
