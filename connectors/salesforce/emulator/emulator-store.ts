import type { Clock } from '../../emulator-kit/clock.ts';
import { ApiUsage } from './control/api-usage.ts';
import { FaultQueue } from '../../emulator-kit/fault-queue.ts';
import { applyMutations, type Mutation, type MutationResult } from './control/mutations.ts';
import { PageHooks, type PageHook } from './control/page-hooks.ts';
import { RecordFaults } from './control/record-faults.ts';
import { RequestLog } from '../../emulator-kit/request-log.ts';
import { IdAllocator } from './ids.ts';
import { checkStates, type AcceptedCredentials, type EmulatorSettings } from './options.ts';
import { BulkJobs, type BulkJobState } from './query/bulk-jobs.ts';
import { QueryCursors } from './query/query-cursors.ts';
import { compileSoql, selectRows, type QueryEnvironment } from './query/run-query.ts';
import type { OrgSchema } from './schema/org-schema.ts';
import { TokenRegistry } from './auth/tokens.ts';
import { RecordStore } from './store/record-store.ts';
import type { FieldValue, SObjectRecord } from './store/sobject-record.ts';
import type { RenderedOrg } from './world-to-salesforce.ts';
import { ControlError } from '../../emulator-kit/control-error.ts';

/**
 * The emulated org and every control over it. Tests drive it directly (`emulator.store`); the
 * `/__emulator/` routes call the same methods over HTTP.
 */
export class EmulatorStore {
  readonly schema: OrgSchema;
  readonly clock: Clock;
  readonly org: RenderedOrg;
  readonly settings: EmulatorSettings;
  readonly credentials: AcceptedCredentials;
  readonly records: RecordStore;
  readonly tokens: TokenRegistry;
  readonly usage: ApiUsage;
  readonly faults = new FaultQueue();
  readonly recordFaults = new RecordFaults();
  readonly requestLog = new RequestLog();
  readonly pageHooks: PageHooks;
  readonly cursors: QueryCursors;
  readonly bulkJobs: BulkJobs;
  private bulkJobStates: BulkJobState[];

  constructor(options: {
    schema: OrgSchema;
    clock: Clock;
    org: RenderedOrg;
    settings: EmulatorSettings;
    credentials: AcceptedCredentials;
  }) {
    this.schema = options.schema;
    this.clock = options.clock;
    this.org = options.org;
    this.settings = options.settings;
    this.credentials = options.credentials;
    this.bulkJobStates = options.settings.bulkJobStates;
    this.records = new RecordStore({
      schema: this.schema,
      clock: this.clock,
      ids: new IdAllocator(),
      timezone: this.org.timezone,
      defaultUserId: () => this.org.adminUserId,
    });
    this.tokens = new TokenRegistry({
      clock: this.clock,
      ttlSeconds: this.settings.tokenTtlSeconds,
      orgId: this.org.orgId,
    });
    this.usage = new ApiUsage(this.clock, this.settings.dailyApiLimit);
    this.pageHooks = new PageHooks((mutations) => this.mutate(mutations));
    this.cursors = new QueryCursors({
      clock: this.clock,
      ttlSeconds: this.settings.locatorTtlSeconds,
      onPageServed: (page) => this.pageHooks.pageServed('query', page),
    });
    this.bulkJobs = new BulkJobs({
      clock: this.clock,
      pageSize: this.settings.bulkPageSize,
      states: () => [...this.bulkJobStates],
      onPageServed: (page) => this.pageHooks.pageServed('bulk', page),
    });
  }

  get queryEnvironment(): QueryEnvironment {
    return { schema: this.schema, store: this.records, clock: this.clock, org: this.org };
  }

  /** Changes records as a user of the org would (insert, update, delete, undelete, purge). */
  mutate(mutations: Mutation[]): MutationResult[] {
    if (!Array.isArray(mutations)) throw new ControlError('mutations must be an array');
    return applyMutations(this.records, this.schema, mutations);
  }

  /** Applies `hook.mutations` right after page `hook.afterPage` of a query or bulk cursor. */
  afterPage(hook: PageHook): void {
    if (!Number.isInteger(hook.afterPage) || hook.afterPage < 1)
      throw new ControlError('afterPage must be a page number ≥ 1');
    if (!Array.isArray(hook.mutations)) throw new ControlError('mutations must be an array');
    this.pageHooks.add(hook);
  }

  /** Every access token becomes invalid; clients get 401 INVALID_SESSION_ID and must refresh. */
  expireTokens(): void {
    this.tokens.expireAll();
  }

  removeField(object: string, field: string): void {
    this.schema.removeField(object, field);
  }

  setFieldUpdateable(object: string, field: string, updateable: boolean): void {
    this.schema.setUpdateable(object, field, updateable);
  }

  setBulkJobStates(states: BulkJobState[]): void {
    this.bulkJobStates = checkStates(states);
  }

  /** A record as stored (deleted and archived records included), or undefined. */
  get(id: string): SObjectRecord | undefined {
    return this.records.find(id)?.record;
  }

  /** Runs SOQL against the store without an API call (test assertions). */
  query(soql: string, options: { scanAll?: boolean } = {}): SObjectRecord[] {
    return selectRows(compileSoql(soql, this.queryEnvironment), this.records, options.scanAll ?? false);
  }

  /**
   * Every record of every object as queryAll would show it: all fields of the current schema,
   * deleted (IsDeleted) and archived (IsArchived) records included; purged records are gone.
   */
  groundTruth(): Record<string, Array<Record<string, FieldValue>>> {
    const dump: Record<string, Array<Record<string, FieldValue>>> = {};
    for (const def of this.schema.objects()) {
      dump[def.name] = [...this.records.table(def.name).values()].map((record) => {
        const row: Record<string, FieldValue> = {};
        for (const field of def.fields) row[field.name] = record[field.name] ?? null;
        return row;
      });
    }
    return dump;
  }
}
