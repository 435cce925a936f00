import type { HubSpotConnectionConfig } from '../../src/config.ts';
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
import { CRM_CATALOG, REFERENCE_OBJECTS, catalogObject } from './catalog.ts';
import { extractList, type ListCursor } from './extract-list.ts';
import { extractSearch, type SearchCursor } from './extract-search.ts';
import { HubSpotApi } from './hubspot-api.ts';
import type { ObjectQuery } from './object-query.ts';
import { MetadataCache } from './metadata-cache.ts';
import { listArchivedSince, listOwners, listPipelines } from './reference-lists.ts';
import { HubSpotWriteback } from './writeback.ts';

export async function openHubSpotSession(ctx: StageContext, options: { refreshSchema?: boolean } = {}) {
  return new HubSpotSession(ctx, ctx.connection as HubSpotConnectionConfig, options.refreshSchema ?? false);
}

/** Properties a mapping option names, per object (they are extracted when the portal has them). */
function mappedProperties(connection: HubSpotConnectionConfig): Record<string, string[]> {
  const { mapping } = connection;
  return {
    leads: [
      mapping.leadConvertedDateProperty,
      ...(mapping.leadSourceProperty ? [mapping.leadSourceProperty] : []),
    ],
    deals: mapping.leadSourceProperty ? [mapping.leadSourceProperty] : [],
  };
}

export class HubSpotSession implements ConnectorSession {
  readonly api: HubSpotApi;
  readonly metadata: MetadataCache;
  readonly writeback: HubSpotWriteback;
  readonly #ctx: StageContext;
  readonly #connection: HubSpotConnectionConfig;
  readonly #queries = new Map<string, ObjectQuery>();
  readonly #notes: string[] = [];
  /** Objects backfilled in this session: their archived list has nothing to tell yet. */
  readonly #backfilled = new Set<string>();
  /** Owner ids the last owners listing returned (for delete reconciliation, no extra calls). */
  #ownerIds: string[] | null = null;

  constructor(ctx: StageContext, connection: HubSpotConnectionConfig, refreshSchema: boolean) {
    this.#ctx = ctx;
    this.#connection = connection;
    this.api = new HubSpotApi({
      connectionId: connection.id,
      credentials: connection.hubspot,
      rateLimiter: ctx.rateLimiter,
      settings: connection.sync,
      logger: ctx.logger.child({ connection: connection.id }),
      signal: ctx.signal,
    });
    this.metadata = new MetadataCache({
      db: ctx.db,
      connectionId: connection.id,
      api: this.api,
      maxAgeHours: connection.sync.propertiesCacheHours,
      refresh: refreshSchema,
    });
    this.writeback = new HubSpotWriteback(ctx, connection, this.api, this.metadata);
  }

  async plan(): Promise<ExtractPlan> {
    const objects: string[] = [...REFERENCE_OBJECTS];
    const skipped: ExtractPlan['skipped'] = [];
    for (const entry of CRM_CATALOG) {
      const found = await this.metadata.properties(entry.name);
      if (found.available) objects.push(entry.name);
      else skipped.push({ object: entry.name, reason: found.reason });
    }
    const issues = await this.configuredPropertyIssues(objects);
    if (issues.length > 0) throw new ConfigError(`connection ${this.#connection.id}`, issues);
    for (const [object, names] of Object.entries(mappedProperties(this.#connection))) {
      const found = await this.metadata.properties(object);
      if (!found.available) continue;
      const missing = names.filter((name) => !found.properties[name]);
      if (missing.length > 0)
        this.#notes.push(`${object}: mapped properties not in the portal: ${missing.join(', ')}`);
    }
    return { objects, skipped };
  }

  async *extract(
    object: string,
    state: ObjectSyncState,
    options: { full: boolean },
  ): AsyncGenerator<ExtractPage> {
    if (object === 'owners') {
      const owners = await listOwners(this.api);
      this.#ownerIds = owners.records.map((record) => record.crmId);
      yield { ...owners, checkpoint: await this.#fullListing() };
      return;
    }
    if (object === 'pipelines') {
      yield { ...(await listPipelines(this.api)), checkpoint: await this.#fullListing() };
      return;
    }
    const query = await this.objectQuery(object);
    const cursor = options.full ? {} : state.cursor;
    const { lagSeconds, lookbackSeconds, delayedPassLagSeconds } = this.#connection.sync;
    if (cursor.phase === 'list') {
      this.#backfilled.add(object);
      yield* extractList(this.api, query, cursor as unknown as ListCursor);
      return;
    }
    const searchOptions = { delayedLagMs: delayedPassLagSeconds * 1000, lookbackMs: lookbackSeconds * 1000 };
    if (cursor.phase === 'search') {
      yield* extractSearch(this.api, query, cursor as unknown as SearchCursor, searchOptions);
      return;
    }
    const now = await this.api.serverNow();
    if (state.watermark === null || options.full) {
      this.#backfilled.add(object);
      yield* extractList(this.api, query, { phase: 'list', after: null, startedAt: now.toISOString() });
      return;
    }
    const delayedUntil =
      typeof cursor.delayedUntil === 'string' ? cursor.delayedUntil : state.watermark.toISOString();
    yield* extractSearch(
      this.api,
      query,
      {
        phase: 'search',
        window: 'main',
        since: new Date(state.watermark.getTime() - lookbackSeconds * 1000).toISOString(),
        // never before the watermark: clocks read from Date headers are only good to a second
        until: new Date(Math.max(now.getTime() - lagSeconds * 1000, state.watermark.getTime())).toISOString(),
        mode: 'time',
        tieStamp: null,
        lastId: null,
        after: null,
        delayedUntil,
      },
      searchOptions,
    );
  }

  /**
   * Archived records (HubSpot's soft delete, invisible to search and not bumping the modstamp):
   * the `archived=true` list, keeping those archived since the last check (minus the lookback).
   * Owners: the ids the owners listing of this run did not return are gone.
   */
  async reconcileDeletes(object: string, state: ObjectSyncState): Promise<DeleteReconciliation> {
    if (object === 'owners' && this.#ownerIds !== null) {
      const ids = this.#ownerIds;
      return {
        kind: 'present',
        ids: (async function* () {
          yield ids;
        })(),
        coveredUntil: await this.api.serverNow(),
      };
    }
    if (!catalogObject(object) || state.watermark === null) return { kind: 'skipped' };
    const now = await this.api.serverNow();
    const last = state.lastReconciledAt;
    const { archivedCheckMinutes, lookbackSeconds } = this.#connection.sync;
    // Not due yet, or just backfilled (the list returned live records only, as of now).
    const due =
      !last || archivedCheckMinutes === 0 || now.getTime() - last.getTime() >= archivedCheckMinutes * 60_000;
    if (this.#backfilled.has(object) || !due) return { kind: 'skipped' };
    const since = last ? new Date(last.getTime() - lookbackSeconds * 1000) : new Date(0);
    return { kind: 'deleted', ids: await listArchivedSince(this.api, object, since), coveredUntil: now };
  }

  apiCalls(): number {
    return this.api.apiCalls();
  }

  apiUsage(): ApiUsage | null {
    return this.api.apiUsage();
  }

  notes(): string[] {
    return [...this.#notes];
  }

  async close(): Promise<void> {}

  writebackTarget(fields: readonly string[]): Promise<WritebackTarget> {
    return this.writeback.target(fields);
  }

  writeRecords(target: WritebackTarget, records: readonly WritebackRecord[]): Promise<WritebackRowResult[]> {
    return this.writeback.write(target, records);
  }

  /** The properties to request of an object: the catalog's, mapped and custom ones the portal has. */
  async objectQuery(object: string): Promise<ObjectQuery> {
    const cached = this.#queries.get(object);
    if (cached) return cached;
    const entry = catalogObject(object);
    const found = await this.metadata.properties(object);
    if (!entry || !found.available) throw new Error(`${object} is not extracted from this portal`);
    const wanted = [
      ...entry.properties,
      ...(mappedProperties(this.#connection)[object] ?? []),
      ...(this.#connection.sync.customProperties[object] ?? []),
    ];
    const properties = [
      ...new Set(wanted.filter((name) => name === 'hs_object_id' || found.properties[name])),
    ];
    const query: ObjectQuery = { object, properties, associations: entry.associations };
    this.#queries.set(object, query);
    return query;
  }

  /** Configured custom properties that the portal does not have, by config path. */
  async configuredPropertyIssues(objects: string[]): Promise<ConfigIssue[]> {
    const at = `connections[${this.#ctx.config.connections.indexOf(this.#connection)}].sync.customProperties`;
    const issues: ConfigIssue[] = [];
    for (const [object, names] of Object.entries(this.#connection.sync.customProperties)) {
      if (!catalogObject(object)) {
        issues.push({ path: `${at}.${object}`, message: `attain does not extract ${object}` });
        continue;
      }
      if (!objects.includes(object)) {
        issues.push({ path: `${at}.${object}`, message: `${object} is not available in this portal` });
        continue;
      }
      const found = await this.metadata.properties(object);
      names.forEach((name, index) => {
        if (found.available && !found.properties[name])
          issues.push({
            path: `${at}.${object}[${index}]`,
            message: `property ${object}.${name} does not exist`,
          });
      });
    }
    return issues;
  }

  /** Owners and pipelines are re-listed in full: one page, state "complete as of now". */
  async #fullListing(): Promise<ExtractPage['checkpoint']> {
    return { watermark: await this.api.serverNow(), cursor: {}, backfillCompleted: true };
  }
}
