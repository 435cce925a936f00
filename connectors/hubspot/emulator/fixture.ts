import { readFileSync } from 'node:fs';
import { FixtureError } from './fixture-error.ts';
import type { PortalStore } from './portal-store.ts';
import { defaultDealPipeline, defaultLeadPipeline } from './schema/default-pipelines.ts';
import type { PropertyType } from './schema/property-def.ts';
import type { OwnerRecord } from './store/owners.ts';
import type { PipelineDef } from './store/pipelines.ts';

/**
 * A `--data` fixture in HubSpot's own JSON shape: one array per object type of records as the
 * API returns them (`{id?, properties, createdAt?, updatedAt?, archived?, archivedAt?,
 * associations?: {deals: ["1001"]}}`), `owners` as the owners API returns them, optional
 * `pipelines` per object type and `portal` settings.
 */
export interface FixtureData {
  portal?: FixturePortal;
  owners?: Array<Partial<OwnerRecord> & { id: string }>;
  pipelines?: Record<string, PipelineDef[]>;
  [objectType: string]: unknown;
}

export interface FixturePortal {
  name?: string;
  timezone?: string;
  /** The company currency. Default USD. */
  currency?: string;
  /** Other currencies, in units per one company-currency unit. */
  currencies?: Array<{ code: string; rate: number }>;
}

interface FixtureRecord {
  id?: string | number;
  properties?: Record<string, unknown>;
  createdAt?: string;
  updatedAt?: string;
  archived?: boolean;
  archivedAt?: string;
  associations?: Record<string, Array<string | number>>;
}

const RESERVED = new Set(['portal', 'owners', 'pipelines']);

export function readFixtureFile(file: string): FixtureData {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new FixtureError(`cannot read fixture ${file}: ${(error as Error).message}`);
  }
  try {
    return checkShape(JSON.parse(text), file);
  } catch (error) {
    if (error instanceof FixtureError) throw error;
    throw new FixtureError(`fixture ${file} is not JSON: ${(error as Error).message}`);
  }
}

export function checkShape(data: unknown, source: string): FixtureData {
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new FixtureError(`fixture ${source} must be a JSON object of object type → records`);
  for (const [key, value] of Object.entries(data)) {
    if (RESERVED.has(key)) continue;
    if (!Array.isArray(value)) throw new FixtureError(`${source}: "${key}" must be an array of records`);
  }
  return data as FixtureData;
}

/** Whether a fixture uses more than one currency. */
export function fixtureMultiCurrency(data: FixtureData): boolean {
  return (data.portal?.currencies ?? []).length > 0;
}

/** Loads owners, pipelines and records into `store`, checking every value. */
export function loadFixture(data: FixtureData, store: PortalStore, source: string): void {
  const now = store.clock.now().toISOString();
  (data.owners ?? []).forEach((owner, index) => {
    if (typeof owner?.id !== 'string')
      throw new FixtureError(`${source}: owners[${index}].id must be a string`);
    store.setOwner({
      email: null,
      firstName: '',
      lastName: '',
      type: 'PERSON',
      userId: null,
      userIdIncludingInactive: owner.userId ?? null,
      archived: false,
      createdAt: now,
      updatedAt: now,
      teams: [],
      ...owner,
    });
  });
  const pipelines = data.pipelines ?? {
    deals: [defaultDealPipeline(now)],
    leads: [defaultLeadPipeline(now)],
  };
  for (const [type, list] of Object.entries(pipelines))
    for (const pipeline of list) store.pipelines.set(type, pipeline);

  const associations: Array<{ type: string; id: string; toType: string; toId: string; at: string }> = [];
  for (const [key, value] of Object.entries(data)) {
    if (RESERVED.has(key)) continue;
    const type = store.resolveType(key);
    if (!type) throw new FixtureError(`${source}: unknown object type "${key}"`);
    (value as FixtureRecord[]).forEach((record, index) => {
      const at = `${source}: ${key}[${index}]`;
      const id = record.id === undefined ? store.allocateId() : String(record.id);
      if (!/^\d+$/.test(id))
        throw new FixtureError(`${at}.id must be numeric, got ${JSON.stringify(record.id)}`);
      const properties = record.properties ?? {};
      for (const [name, raw] of Object.entries(properties))
        if (!store.properties.get(type.name, name)) defineInferred(store, type.name, name, raw);
      const checked = store.properties.check(type.name, properties, { allowReadOnly: true });
      const problem = checked.problems[0];
      if (problem) throw new FixtureError(`${at}.properties.${problem.name}: ${problem.message}`);
      const createdAt = instant(
        record.createdAt ?? checked.values[type.createdProperty] ?? now,
        `${at}.createdAt`,
      );
      const updatedAt = instant(record.updatedAt ?? createdAt, `${at}.updatedAt`);
      const archivedAt = record.archived ? instant(record.archivedAt ?? updatedAt, `${at}.archivedAt`) : null;
      store.load(type.name, {
        id,
        properties: {
          ...checked.values,
          [type.createdProperty]: createdAt,
          ...Object.fromEntries(type.modifiedProperties.map((name) => [name, updatedAt])),
        },
        createdAt,
        updatedAt,
        archivedAt,
      });
      for (const [toKey, ids] of Object.entries(record.associations ?? {}))
        for (const toId of ids)
          associations.push({ type: type.name, id, toType: toKey, toId: String(toId), at });
    });
  }
  for (const link of associations) {
    const toType = store.resolveType(link.toType);
    if (!toType || !store.table(toType.name).get(link.toId))
      throw new FixtureError(`${link.at}.associations: no ${link.toType} with id ${link.toId}`);
    store.associations.add(link.type, link.id, toType.name, link.toId);
  }
}

/** A fixture property the portal lacks becomes a custom property of the type its value suggests. */
function defineInferred(store: PortalStore, type: string, name: string, raw: unknown): void {
  const text = raw === null || raw === undefined ? '' : String(raw);
  const inferred: PropertyType =
    typeof raw === 'boolean' || /^(true|false)$/i.test(text)
      ? 'bool'
      : typeof raw === 'number' || /^-?\d+(\.\d+)?$/.test(text)
        ? 'number'
        : /^\d{4}-\d{2}-\d{2}T/.test(text)
          ? 'datetime'
          : /^\d{4}-\d{2}-\d{2}$/.test(text)
            ? 'date'
            : 'string';
  const group =
    store.properties.listGroups(type)[0]?.name ??
    store.properties.createGroup(type, { name: 'fixture', label: 'Fixture' }).name;
  store.properties.create(
    type,
    {
      name,
      label: name,
      type: inferred,
      fieldType:
        inferred === 'bool'
          ? 'booleancheckbox'
          : inferred === 'number'
            ? 'number'
            : inferred === 'string'
              ? 'text'
              : 'date',
      groupName: group,
      ...(inferred === 'bool'
        ? {
            options: [
              { label: 'Yes', value: 'true' },
              { label: 'No', value: 'false' },
            ],
          }
        : {}),
    },
    store.clock.now().toISOString(),
  );
}

function instant(value: string, at: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new FixtureError(`${at}: '${value}' is not an ISO instant`);
  return new Date(ms).toISOString();
}
