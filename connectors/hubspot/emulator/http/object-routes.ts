import { HubSpotError, objectNotFound, validationError } from '../hubspot-error.ts';
import { LIMITS } from '../options.ts';
import { missingScopes, type PortalStore } from '../portal-store.ts';
import type { ObjectTypeDef } from '../schema/object-types.ts';
import { parseSearchRequest, runSearch } from '../search/run-search.ts';
import type { HubSpotRecord } from '../store/hubspot-record.ts';
import { recordJson } from './record-json.ts';
import { intParam, json, jsonBody, listParam, type ApiRequest, type Reply, type Route } from './route.ts';

const TYPE = '([^/]+)';
const ID = '([^/]+)';

/** Single-object reads and writes, list paging and search (spec §3.1–3.3, §3.5). */
export const objectRoutes: Route[] = [
  {
    name: 'objects.search',
    method: 'POST',
    pattern: new RegExp(`^/crm/v3/objects/${TYPE}/search$`),
    search: true,
    handle: search,
  },
  { name: 'objects.list', method: 'GET', pattern: new RegExp(`^/crm/v3/objects/${TYPE}$`), handle: list },
  {
    name: 'objects.create',
    method: 'POST',
    pattern: new RegExp(`^/crm/v3/objects/${TYPE}$`),
    handle: create,
  },
  { name: 'objects.get', method: 'GET', pattern: new RegExp(`^/crm/v3/objects/${TYPE}/${ID}$`), handle: get },
  {
    name: 'objects.update',
    method: 'PATCH',
    pattern: new RegExp(`^/crm/v3/objects/${TYPE}/${ID}$`),
    handle: update,
  },
  {
    name: 'objects.archive',
    method: 'DELETE',
    pattern: new RegExp(`^/crm/v3/objects/${TYPE}/${ID}$`),
    handle: archive,
  },
];

function list(request: ApiRequest): Reply {
  const { store, query } = request;
  const type = store.requireType(request.params[0]!);
  const history = listParam(query, 'propertiesWithHistory');
  // Property history makes pages smaller (spec §3.1).
  const max = history.length > 0 ? 50 : LIMITS.listMax;
  const limit = Math.max(1, Math.min(max, intParam(query, 'limit', LIMITS.listDefault)));
  const afterText = query.get('after');
  const after = afterText === null || afterText === '' ? 0 : Number(afterText);
  if (!Number.isSafeInteger(after) || after < 0) throw validationError(`Invalid after: ${afterText}`);
  const page = store.table(type.name).page(after, limit, query.get('archived') === 'true');
  const options = {
    properties: nullIfEmpty(listParam(query, 'properties')),
    propertiesWithHistory: history,
    associations: listParam(query, 'associations'),
  };
  const body: Record<string, unknown> = {
    results: page.records.map((record) => recordJson(store, type, record, options)),
  };
  if (page.next !== null) {
    const next = new URLSearchParams(query);
    next.set('after', String(page.next));
    body.paging = {
      next: {
        after: String(page.next),
        link: `${request.baseUrl}/crm/v3/objects/${request.params[0]}?${next}`,
      },
    };
  }
  store.pageHooks.pageServed('list', type.name);
  return json(body);
}

function get(request: ApiRequest): Reply {
  const { store, query } = request;
  const type = store.requireType(request.params[0]!);
  const record = findRecord(store, type, request.params[1]!, query.get('idProperty'));
  if (!record || record.archived !== (query.get('archived') === 'true'))
    throw objectNotFound(request.params[1]!);
  return json(
    recordJson(store, type, record, {
      properties: nullIfEmpty(listParam(query, 'properties')),
      propertiesWithHistory: listParam(query, 'propertiesWithHistory'),
      associations: listParam(query, 'associations'),
    }),
  );
}

function create(request: ApiRequest): Reply {
  const { store } = request;
  const type = writableType(store, request.params[0]!);
  const body = jsonBody(request);
  const values = store.properties.require(type.name, (body.properties ?? {}) as Record<string, unknown>);
  const links = associationsOf(store, type, body.associations);
  const record = store.create(type.name, values);
  for (const link of links) store.associations.add(type.name, record.id, link.type, link.id);
  return json(recordJson(store, type, record, { properties: Object.keys(values) }), 201);
}

function update(request: ApiRequest): Reply {
  const { store, query } = request;
  const type = writableType(store, request.params[0]!);
  const current = findRecord(store, type, request.params[1]!, query.get('idProperty'));
  if (!current || current.archived) throw objectNotFound(request.params[1]!);
  const body = jsonBody(request);
  const values = store.properties.require(type.name, (body.properties ?? {}) as Record<string, unknown>);
  const record = store.update(type.name, current.id, values);
  return json(recordJson(store, type, record, { properties: Object.keys(values) }));
}

function archive(request: ApiRequest): Reply {
  const { store } = request;
  const type = writableType(store, request.params[0]!);
  const record = store.table(type.name).get(request.params[1]!);
  // Archiving an archived or unknown record is not an error on HubSpot either.
  if (record && !record.archived) store.archive(type.name, record.id);
  return { status: 204 };
}

function search(request: ApiRequest): Reply {
  const { store } = request;
  const type = store.requireType(request.params[0]!);
  const searchRequest = parseSearchRequest(jsonBody(request));
  const matched = runSearch(
    store.searchable(type.name),
    searchRequest,
    (name) => store.properties.get(type.name, name),
    (record) => type.defaultProperties.map((name) => record.properties[name] ?? '').join(' '),
  );
  const page = matched.slice(searchRequest.after, searchRequest.after + searchRequest.limit);
  const body: Record<string, unknown> = {
    total: matched.length,
    results: page.map((record) => recordJson(store, type, record, { properties: searchRequest.properties })),
  };
  const next = searchRequest.after + searchRequest.limit;
  if (next < matched.length) body.paging = { next: { after: String(next) } };
  store.pageHooks.pageServed('search', type.name);
  return json(body);
}

/** A record by id, or by a unique property's value (`idProperty`). */
export function findRecord(
  store: PortalStore,
  type: ObjectTypeDef,
  id: string,
  idProperty: string | null,
): HubSpotRecord | undefined {
  if (idProperty === null || idProperty === 'hs_object_id') return store.table(type.name).get(id);
  const def = store.properties.get(type.name, idProperty);
  if (!def?.hasUniqueValue)
    throw validationError(`${idProperty} is not a unique identifier property of ${type.name}`);
  return store.findByUnique(type.name, idProperty, id);
}

export function writableType(store: PortalStore, name: string): ObjectTypeDef {
  const type = store.requireType(name);
  if (type.readOnly) throw missingScopes(`crm.objects.${type.name}.write`);
  return type;
}

/** Associations given on create: `[{to: {id}, types: [{associationCategory, associationTypeId}]}]`. */
export function associationsOf(
  store: PortalStore,
  type: ObjectTypeDef,
  input: unknown,
): Array<{ type: string; id: string }> {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw validationError('Invalid input JSON: associations must be an array');
  return input.map((entry: { to?: { id?: unknown }; types?: Array<{ associationTypeId?: unknown }> }) => {
    const toId = entry?.to?.id;
    const typeId = entry?.types?.[0]?.associationTypeId;
    const target = typeof typeId === 'number' ? store.associationTarget(type.name, typeId) : undefined;
    if (typeof toId !== 'string' && typeof toId !== 'number')
      throw validationError('Invalid input JSON: an association needs to.id');
    if (!target) throw validationError(`Unknown association type ${String(typeId)} for ${type.name}`);
    if (!store.table(target).get(String(toId)))
      throw new HubSpotError(
        400,
        'VALIDATION_ERROR',
        `No ${target} with id ${String(toId)} to associate with`,
      );
    return { type: target, id: String(toId) };
  });
}

function nullIfEmpty(values: string[]): string[] | null {
  return values.length === 0 ? null : values;
}
