import type { PortalStore } from '../portal-store.ts';
import type { ObjectTypeDef } from '../schema/object-types.ts';
import type { HubSpotRecord } from '../store/hubspot-record.ts';

export interface RenderOptions {
  /** Requested properties; null: the type's defaults. */
  properties: string[] | null;
  propertiesWithHistory?: string[];
  /** Object types whose associations are embedded (v3 style). */
  associations?: string[];
}

/**
 * A record in the SimplePublicObject shape (spec §2.2): requested properties that exist, as
 * strings or null (unknown names left out), `hs_object_id` always; the envelope timestamps;
 * embedded associations keyed by display name (`"line items"`).
 */
export function recordJson(
  store: PortalStore,
  type: ObjectTypeDef,
  record: HubSpotRecord,
  options: RenderOptions,
): Record<string, unknown> {
  const names = options.properties ?? type.defaultProperties;
  const properties: Record<string, string | null> = {};
  for (const name of [...names, 'hs_object_id']) {
    if (name === 'hs_object_id' || store.properties.get(type.name, name))
      properties[name] = record.properties[name] ?? null;
  }
  const json: Record<string, unknown> = {
    id: record.id,
    properties,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    archived: record.archived,
    ...(record.archivedAt === null ? {} : { archivedAt: record.archivedAt }),
  };
  if (options.propertiesWithHistory && options.propertiesWithHistory.length > 0) {
    const history: Record<string, unknown[]> = {};
    for (const name of options.propertiesWithHistory) {
      const value = record.properties[name];
      if (value === undefined) continue;
      history[name] = value === null ? [] : [{ value, timestamp: record.updatedAt, sourceType: 'CRM_UI' }];
    }
    json.propertiesWithHistory = history;
  }
  if (options.associations && options.associations.length > 0) {
    const embedded: Record<string, unknown> = {};
    for (const name of options.associations) {
      const toType = store.resolveType(name);
      if (!toType) continue;
      const ids = store.associations.targets(type.name, record.id, toType.name);
      if (ids.length === 0) continue;
      const label = `${type.singular}_to_${toType.singular}`;
      embedded[toType.displayName] = { results: ids.map((id) => ({ id, type: label })) };
    }
    if (Object.keys(embedded).length > 0) json.associations = embedded;
  }
  return json;
}
