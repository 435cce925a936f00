import type { Clock } from '../../emulator-kit/clock.ts';
import { ControlError } from '../../emulator-kit/control-error.ts';
import { FaultQueue } from '../../emulator-kit/fault-queue.ts';
import { RequestLog } from '../../emulator-kit/request-log.ts';
import { ApiUsage, type ApiUsageSnapshot } from './control/api-usage.ts';
import { applyMutations, type Mutation, type MutationResult } from './control/mutations.ts';
import { PageHooks, type PageHook } from './control/page-hooks.ts';
import { RateLimits } from './control/rate-limits.ts';
import { RecordFaults } from './control/record-faults.ts';
import { HubSpotError, invalidProperties, objectNotFound } from './hubspot-error.ts';
import type { EmulatorSettings, PortalFeatures } from './options.ts';
import { STANDARD_OBJECT_TYPES, type ObjectTypeDef } from './schema/object-types.ts';
import { propertyJson } from './schema/property-def.ts';
import {
  customObjectBaseProperties,
  standardGroups,
  standardProperties,
} from './schema/standard-properties.ts';
import { AssociationStore, type AssociationType } from './store/associations.ts';
import type { PortalCurrencies } from './store/currency.ts';
import { schemaExists, schemaFromBody, type CustomSchema } from './store/custom-schemas.ts';
import { deriveProperties } from './store/derived-properties.ts';
import { searchVersion, type HubSpotRecord, type PropertyValues } from './store/hubspot-record.ts';
import { ObjectTable } from './store/object-table.ts';
import { OwnerStore, type OwnerRecord } from './store/owners.ts';
import { PipelineStore } from './store/pipelines.ts';
import { PropertyRegistry } from './store/property-registry.ts';

/** The portal as a whole: who it is, its calendar and its company currency. */
export interface PortalInfo {
  portalId: number;
  name: string;
  timezone: string;
  /** When the portal was created: the stamp of its metadata (properties, pipelines). */
  createdAt: string;
}

/** A record version to store as is (world rendering, fixtures): derived properties are added. */
export interface LoadedRecord {
  id: string;
  properties: PropertyValues;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
}

export interface WriteOptions {
  /** An explicit modification stamp (ISO), e.g. equal to or older than one already synced. */
  at?: string;
}

/** Which stage property a pipeline object's stage lives in. */
const STAGE_PROPERTY: Record<string, string> = { deals: 'dealstage', leads: 'hs_pipeline_stage' };
const STAGE_ENTERED = 'hs_v2_date_entered_current_stage';
const FEATURE_OF: Record<string, keyof PortalFeatures> = {
  leads: 'leads',
  quotes: 'quotes',
  goal_targets: 'goals',
};

/**
 * The emulated portal and every control over it. Routes and the /__emulator/ control API call
 * these methods; tests call them directly (`emulator.store`).
 */
export class PortalStore {
  readonly clock: Clock;
  readonly settings: EmulatorSettings;
  readonly portal: PortalInfo;
  readonly currencies: PortalCurrencies;
  readonly features: PortalFeatures;
  readonly properties: PropertyRegistry;
  readonly pipelines = new PipelineStore();
  readonly owners = new OwnerStore();
  readonly associations = new AssociationStore();
  readonly usage = new ApiUsage();
  readonly rateLimits: RateLimits;
  readonly faults = new FaultQueue();
  readonly recordFaults = new RecordFaults();
  readonly requestLog = new RequestLog();
  readonly pageHooks: PageHooks;
  private readonly types = new Map<string, ObjectTypeDef>();
  private readonly aliases = new Map<string, string>();
  private readonly tables = new Map<string, ObjectTable>();
  private readonly schemas = new Map<string, CustomSchema>();
  private lastId = 0;

  constructor(options: {
    clock: Clock;
    settings: EmulatorSettings;
    portal: PortalInfo;
    currencies: PortalCurrencies;
    features: PortalFeatures;
  }) {
    this.clock = options.clock;
    this.settings = options.settings;
    this.portal = options.portal;
    this.currencies = options.currencies;
    this.features = options.features;
    this.rateLimits = new RateLimits(this.clock, this.settings, this.portal.timezone);
    this.pageHooks = new PageHooks((mutations) => this.mutate(mutations));
    this.properties = new PropertyRegistry((type, property, value) =>
      this.externalOptionExists(type, property, value),
    );
    for (const type of STANDARD_OBJECT_TYPES) {
      this.register(type);
      const defs = standardProperties(type.name, this.portal.createdAt);
      this.properties.define(type.name, defs, standardGroups(defs));
    }
  }

  // ── object types ──────────────────────────────────────────────────────────

  /** The type a path segment names: plural name, type id, singular, or a custom object's name. */
  resolveType(name: string): ObjectTypeDef | undefined {
    const canonical = this.aliases.get(name.toLowerCase());
    return canonical === undefined ? undefined : this.types.get(canonical);
  }

  /** resolveType, failing as HubSpot does: unknown → 404, not in this portal's tier → 403. */
  requireType(name: string): ObjectTypeDef {
    const type = this.resolveType(name);
    if (!type) throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `Unable to infer object type from: ${name}`);
    const feature = FEATURE_OF[type.name];
    if (feature && !this.features[feature]) throw missingScopes(`crm.objects.${type.name}.read`);
    return type;
  }

  objectTypes(): ObjectTypeDef[] {
    return [...this.types.values()];
  }

  table(type: string): ObjectTable {
    const table = this.tables.get(type);
    if (!table) throw new Error(`no table for object type ${type}`);
    return table;
  }

  // ── loading (world rendering and fixtures) ─────────────────────────────────

  /** Stores a record version as given (plus derived properties); no validation, no stamping. */
  load(typeName: string, loaded: LoadedRecord): HubSpotRecord {
    const type = this.types.get(typeName);
    if (!type) throw new Error(`unknown object type ${typeName}`);
    const properties = deriveProperties(
      typeName,
      { ...loaded.properties, hs_object_id: loaded.id },
      this.derivation(),
    );
    const record: HubSpotRecord = {
      id: loaded.id,
      properties,
      createdAt: loaded.createdAt,
      updatedAt: loaded.updatedAt,
      archived: loaded.archivedAt !== null,
      archivedAt: loaded.archivedAt,
      indexedAtMs: 0,
      previous: null,
    };
    this.table(typeName).set(record);
    this.noteId(loaded.id);
    return record;
  }

  noteId(id: string): void {
    const number = Number(id);
    if (Number.isSafeInteger(number) && number > this.lastId) this.lastId = number;
  }

  allocateId(): string {
    return String(++this.lastId);
  }

  // ── writes, as the API and the control API make them ───────────────────────

  create(typeName: string, values: PropertyValues, options: WriteOptions = {}): HubSpotRecord {
    const type = this.table(typeName).type;
    const at = this.stamp(options);
    const id = this.allocateId();
    const properties: PropertyValues = { [type.createdProperty]: at, ...values };
    this.checkUnique(typeName, id, properties);
    return this.store(typeName, undefined, {
      id,
      properties,
      createdAt: properties[type.createdProperty] ?? at,
      updatedAt: at,
      archived: false,
      archivedAt: null,
    });
  }

  update(typeName: string, id: string, values: PropertyValues, options: WriteOptions = {}): HubSpotRecord {
    const current = this.live(typeName, id);
    const properties = { ...current.properties, ...values };
    this.checkUnique(typeName, id, properties);
    return this.store(typeName, current, {
      ...current,
      properties,
      updatedAt: this.stamp(options),
    });
  }

  /** Soft delete: the record moves to the archived list; hs_lastmodifieddate does not change. */
  archive(typeName: string, id: string, options: WriteOptions = {}): HubSpotRecord {
    const current = this.live(typeName, id);
    return this.store(
      typeName,
      current,
      { ...current, archived: true, archivedAt: this.stamp(options) },
      false,
    );
  }

  restore(typeName: string, id: string, options: WriteOptions = {}): HubSpotRecord {
    const current = this.table(typeName).get(id);
    if (!current?.archived) throw objectNotFound(id);
    return this.store(typeName, current, {
      ...current,
      archived: false,
      archivedAt: null,
      updatedAt: this.stamp(options),
    });
  }

  /** Hard delete (GDPR, or past the archive retention): the id simply disappears. */
  purge(typeName: string, id: string): void {
    if (!this.table(typeName).delete(id)) throw objectNotFound(id);
    this.associations.forget(typeName, id);
  }

  /** A live (not archived) record, or 404. */
  live(typeName: string, id: string): HubSpotRecord {
    const record = this.table(typeName).get(id);
    if (!record || record.archived) throw objectNotFound(id);
    return record;
  }

  /** Records search sees now: their indexed version, archived ones excluded. */
  searchable(typeName: string): HubSpotRecord[] {
    const now = this.clock.nowMs();
    const visible: HubSpotRecord[] = [];
    for (const record of this.table(typeName).values()) {
      const version = searchVersion(record, now);
      if (version && !version.archived) visible.push(version);
    }
    return visible;
  }

  /** The live record whose unique property `name` holds `value`. */
  findByUnique(typeName: string, name: string, value: string): HubSpotRecord | undefined {
    for (const record of this.table(typeName).values())
      if (!record.archived && record.properties[name] === value) return record;
    return undefined;
  }

  /** The association type (id, category, label) between two object types. */
  associationType(fromType: string, toType: string): AssociationType {
    const from = this.table(fromType).type;
    const to = this.table(toType).type;
    return this.associations.typeOf(fromType, toType, from.singular, to.singular);
  }

  /** The object type an association type id of `fromType` points at. */
  associationTarget(fromType: string, typeId: number): string | undefined {
    return this.objectTypes().find((type) => this.associationType(fromType, type.name).typeId === typeId)
      ?.name;
  }

  // ── custom object schemas ──────────────────────────────────────────────────

  createSchema(body: unknown): CustomSchema {
    if (!this.features.customObjects) throw missingScopes('crm.schemas.custom.write');
    const now = this.clock.now().toISOString();
    const { schema, type, properties } = schemaFromBody(
      body,
      this.portal.portalId,
      this.schemas.size + 1,
      now,
    );
    if (this.schemas.has(schema.name) || this.resolveType(schema.name)) throw schemaExists(schema.name);
    this.register(type, [schema.name, `p_${schema.name}`]);
    const group = `${schema.name}_information`;
    this.properties.define(type.name, customObjectBaseProperties(group, now), [group]);
    for (const property of properties)
      this.properties.create(type.name, { groupName: group, ...(property as object) }, now);
    this.schemas.set(schema.name, schema);
    return schema;
  }

  schemaList(): CustomSchema[] {
    return [...this.schemas.values()];
  }

  schema(name: string): CustomSchema | undefined {
    const type = this.resolveType(name);
    return type?.custom
      ? [...this.schemas.values()].find((s) => s.objectTypeId === type.objectTypeId)
      : undefined;
  }

  schemaJson(schema: CustomSchema): Record<string, unknown> {
    const type = this.resolveType(schema.objectTypeId)!;
    return {
      ...schema,
      archived: false,
      properties: this.properties.list(type.name).map(propertyJson),
      associations: [],
    };
  }

  // ── controls ───────────────────────────────────────────────────────────────

  /** Changes records, owners and pipelines as a user of the portal would (control API). */
  mutate(mutations: Mutation[]): MutationResult[] {
    if (!Array.isArray(mutations)) throw new ControlError('mutations must be an array');
    return applyMutations(this, mutations);
  }

  afterPage(hook: PageHook): void {
    if (!Number.isInteger(hook.afterPage) || hook.afterPage < 1)
      throw new ControlError('afterPage must be a page number ≥ 1');
    if (!Array.isArray(hook.mutations)) throw new ControlError('mutations must be an array');
    this.pageHooks.add(hook);
  }

  usageSnapshot(): ApiUsageSnapshot {
    return this.usage.snapshot(this.rateLimits.dailyUsage());
  }

  /**
   * Everything the portal holds, as the API would show it with every property requested:
   * records (archived included, purged ones gone) with their associations, owners and pipelines.
   */
  groundTruth(only?: string): Record<string, unknown> {
    const dump: Record<string, unknown> = {};
    for (const type of this.objectTypes()) {
      if (only !== undefined && only !== type.name) continue;
      dump[type.name] = [...this.table(type.name).values()]
        .sort((a, b) => Number(a.id) - Number(b.id))
        .map((record) => ({
          id: record.id,
          properties: record.properties,
          createdAt: record.createdAt,
          updatedAt: record.updatedAt,
          archived: record.archived,
          archivedAt: record.archivedAt,
          associations: this.associations.all(type.name, record.id),
        }));
    }
    if (only === undefined || only === 'owners') dump.owners = this.owners.all();
    if (only === undefined || only === 'pipelines')
      dump.pipelines = { deals: this.pipelines.list('deals'), leads: this.pipelines.list('leads') };
    return dump;
  }

  // ── internals ──────────────────────────────────────────────────────────────

  setOwner(owner: OwnerRecord): void {
    this.owners.set(owner);
    this.noteId(owner.id);
  }

  private register(type: ObjectTypeDef, extraAliases: string[] = []): void {
    this.types.set(type.name, type);
    this.tables.set(type.name, new ObjectTable(type));
    for (const alias of [type.name, type.objectTypeId, type.singular, ...extraAliases])
      this.aliases.set(alias.toLowerCase(), type.name);
  }

  private stamp(options: WriteOptions): string {
    if (options.at === undefined) return this.clock.now().toISOString();
    const ms = Date.parse(options.at);
    if (Number.isNaN(ms)) throw new ControlError(`'${options.at}' is not an ISO instant`);
    return new Date(ms).toISOString();
  }

  /** Stamps, derives and stores a new version; search sees it after the indexing lag. */
  private store(
    typeName: string,
    current: HubSpotRecord | undefined,
    next: Omit<HubSpotRecord, 'indexedAtMs' | 'previous'>,
    modified = true,
  ): HubSpotRecord {
    const type = this.table(typeName).type;
    let properties: PropertyValues = { ...next.properties, hs_object_id: next.id };
    if (modified) for (const name of type.modifiedProperties) properties[name] = next.updatedAt;
    const stageProperty = STAGE_PROPERTY[typeName];
    if (
      stageProperty &&
      properties[stageProperty] !== current?.properties[stageProperty] &&
      properties[STAGE_ENTERED] === current?.properties[STAGE_ENTERED]
    )
      properties[STAGE_ENTERED] = next.updatedAt;
    this.checkStage(typeName, properties);
    properties = deriveProperties(typeName, properties, this.derivation());
    const now = this.clock.nowMs();
    const delay = this.settings.searchVisibilityDelayMs;
    const seen = current && delay > 0 ? searchVersion(current, now) : null;
    const record: HubSpotRecord = {
      ...next,
      properties,
      indexedAtMs: now + delay,
      previous: seen ? { ...seen, previous: null } : null,
    };
    this.table(typeName).set(record);
    return record;
  }

  private derivation() {
    return {
      timezone: this.portal.timezone,
      currencies: this.currencies,
      dealStage: (pipeline: string | null, stage: string | null) =>
        pipeline === null || stage === null ? undefined : this.pipelines.stage('deals', pipeline, stage),
    };
  }

  private checkStage(typeName: string, properties: PropertyValues): void {
    const pipelineProperty = typeName === 'deals' ? 'pipeline' : typeName === 'leads' ? 'hs_pipeline' : null;
    if (!pipelineProperty) return;
    const pipeline = properties[pipelineProperty];
    const stage = properties[STAGE_PROPERTY[typeName]!];
    if (!pipeline || !stage || this.pipelines.stage(typeName, pipeline, stage)) return;
    throw invalidProperties([
      {
        name: STAGE_PROPERTY[typeName]!,
        error: 'INVALID_OPTION',
        message: `${stage} is not a valid stage of pipeline ${pipeline}`,
      },
    ]);
  }

  private checkUnique(typeName: string, id: string, properties: PropertyValues): void {
    for (const def of this.properties.list(typeName)) {
      if (!def.hasUniqueValue) continue;
      const value = properties[def.name];
      if (value === null || value === undefined) continue;
      const other = this.findByUnique(typeName, def.name, value);
      if (other && other.id !== id)
        throw new HubSpotError(
          409,
          'CONFLICT',
          `A record with ${def.name} ${value} already exists. Existing ID: ${other.id}`,
        );
    }
  }

  private externalOptionExists(type: string, property: string, value: string): boolean {
    if (property === 'hubspot_owner_id' || property === 'hs_attendee_owner_ids')
      return this.owners.get(value) !== undefined;
    if (property.endsWith('currency_code') || property === 'hs_currency')
      return this.currencies.rates.has(value);
    if (property === 'pipeline' || property === 'hs_pipeline')
      return this.pipelines.get(type, value) !== undefined;
    if (property === 'dealstage') return this.pipelines.hasStage('deals', value);
    return true;
  }
}

export function missingScopes(scope: string): HubSpotError {
  return new HubSpotError(
    403,
    'MISSING_SCOPES',
    "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    {
      errors: [
        {
          message: 'One or more of the following scopes are required.',
          context: { requiredGranularScopes: [scope] },
        },
      ],
    },
  );
}
