import { toCaseSafeId } from '../ids.ts';
import { SalesforceError } from '../salesforce-error.ts';
import type { SObjectRecord } from '../store/sobject-record.ts';
import { formatDateTime } from '../wire-format.ts';
import {
  executePlans,
  planCreate,
  planDelete,
  planUpdate,
  planUpsert,
  type SavePlan,
  type SaveResult,
} from '../writes/save-plan.ts';
import { objectOf } from './metadata-routes.ts';
import { json, jsonBody, versionPath, type ApiRequest, type Reply, type Route } from './route.ts';

/**
 * Record writes and reads (spec §6): sObject Collections (≤ 200 records, allOrNone, per-record
 * statusCode errors), single-record create / retrieve / update / delete, and upsert by external id.
 */

const DATA = String.raw`^\/services\/data\/v\d+\.\d`;
const MAX_COLLECTION = 200;
const ID = '[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?';

export const sobjectRoutes: Route[] = [
  {
    name: 'collection.update',
    method: 'PATCH',
    pattern: new RegExp(`${DATA}/composite/sobjects/?$`),
    auth: 'bearer',
    api: true,
    handle: collectionUpdate,
  },
  {
    name: 'collection.create',
    method: 'POST',
    pattern: new RegExp(`${DATA}/composite/sobjects/?$`),
    auth: 'bearer',
    api: true,
    handle: collectionCreate,
  },
  {
    name: 'collection.delete',
    method: 'DELETE',
    pattern: new RegExp(`${DATA}/composite/sobjects/?$`),
    auth: 'bearer',
    api: true,
    handle: collectionDelete,
  },
  {
    name: 'collection.retrieve',
    method: 'POST',
    pattern: new RegExp(`${DATA}/composite/sobjects/(\\w+)/?$`),
    auth: 'bearer',
    api: true,
    handle: collectionRetrieve,
  },
  {
    name: 'collection.upsert',
    method: 'PATCH',
    pattern: new RegExp(`${DATA}/composite/sobjects/(\\w+)/(\\w+)/?$`),
    auth: 'bearer',
    api: true,
    handle: collectionUpsert,
  },
  {
    name: 'record.create',
    method: 'POST',
    pattern: new RegExp(`${DATA}/sobjects/(\\w+)/?$`),
    auth: 'bearer',
    api: true,
    handle: recordCreate,
  },
  {
    name: 'record.retrieve',
    method: 'GET',
    pattern: new RegExp(`${DATA}/sobjects/(\\w+)/(${ID})$`),
    auth: 'bearer',
    api: true,
    handle: recordRetrieve,
  },
  {
    name: 'record.update',
    method: 'PATCH',
    pattern: new RegExp(`${DATA}/sobjects/(\\w+)/(${ID})$`),
    auth: 'bearer',
    api: true,
    handle: recordUpdate,
  },
  {
    name: 'record.delete',
    method: 'DELETE',
    pattern: new RegExp(`${DATA}/sobjects/(\\w+)/(${ID})$`),
    auth: 'bearer',
    api: true,
    handle: recordDelete,
  },
  {
    name: 'record.upsert',
    method: 'PATCH',
    pattern: new RegExp(`${DATA}/sobjects/(\\w+)/(\\w+)/([^/]+)$`),
    auth: 'bearer',
    api: true,
    handle: recordUpsert,
  },
];

interface CollectionBody {
  allOrNone: boolean;
  records: Array<Record<string, unknown>>;
}

function collectionBody(request: ApiRequest): CollectionBody {
  const body = jsonBody(request) as Partial<CollectionBody> | null;
  if (!body || !Array.isArray(body.records) || body.records.some((r) => !r || typeof r !== 'object')) {
    throw new SalesforceError(
      400,
      'JSON_PARSER_ERROR',
      'Expected a body {"allOrNone": boolean, "records": [...]}',
    );
  }
  checkCount(body.records.length);
  return { allOrNone: body.allOrNone === true, records: body.records };
}

function checkCount(count: number): void {
  if (count > MAX_COLLECTION) {
    throw new SalesforceError(
      400,
      'EXCEEDED_ID_LIMIT',
      'record limit reached. cannot submit more than 200 records into this call',
    );
  }
}

/** One stamp per request: a save is one transaction, so its records share a SystemModstamp. */
function stampOf(request: ApiRequest): string {
  return formatDateTime(request.store.clock.nowSecondsMs());
}

function typeOf(record: Record<string, unknown>): unknown {
  const attributes = record.attributes as { type?: unknown } | undefined;
  return attributes?.type;
}

function run(request: ApiRequest, plans: SavePlan[], allOrNone: boolean): Reply {
  return json(executePlans(plans, allOrNone, stampOf(request)));
}

function collectionUpdate(request: ApiRequest): Reply {
  const { allOrNone, records } = collectionBody(request);
  const plans = records.map((record) =>
    planUpdate(request.store, typeOf(record), record.id ?? record.Id, record, request.userId),
  );
  return run(request, plans, allOrNone);
}

function collectionCreate(request: ApiRequest): Reply {
  const { allOrNone, records } = collectionBody(request);
  const plans = records.map((record): SavePlan =>
    record.id !== undefined || record.Id !== undefined
      ? {
          ok: false,
          id: null,
          errors: [
            { statusCode: 'INVALID_FIELD', message: 'cannot specify Id in an insert call', fields: ['Id'] },
          ],
        }
      : planCreate(request.store, typeOf(record), record, request.userId),
  );
  return run(request, plans, allOrNone);
}

function collectionDelete(request: ApiRequest): Reply {
  const ids = (request.query.get('ids') ?? '').split(',').filter(Boolean);
  checkCount(ids.length);
  const plans = ids.map((id) => planDelete(request.store, id, request.userId));
  return run(request, plans, request.query.get('allOrNone') === 'true');
}

function collectionRetrieve(request: ApiRequest): Reply {
  const object = objectOf(request);
  const body = jsonBody(request) as { ids?: unknown; fields?: unknown } | null;
  if (!body || !Array.isArray(body.ids) || !Array.isArray(body.fields)) {
    throw new SalesforceError(400, 'JSON_PARSER_ERROR', 'Expected a body {"ids": [...], "fields": [...]}');
  }
  checkCount(body.ids.length);
  const fields = fieldList(request, object.name, body.fields.map(String));
  const table = request.store.records.table(object.name);
  return json(
    body.ids.map((raw) => {
      const id = toCaseSafeId(String(raw));
      const record = id ? table.get(id) : undefined;
      return record && record.IsDeleted !== true ? recordJson(request, object.name, record, fields) : null;
    }),
  );
}

function collectionUpsert(request: ApiRequest): Reply {
  const object = objectOf(request);
  const field = externalIdField(request, object.name, request.params[1]!);
  const { allOrNone, records } = collectionBody(request);
  const index = externalIndex(request, object.name, field);
  const plans = records.map((record) => {
    const value =
      record[field] ?? record[Object.keys(record).find((k) => k.toLowerCase() === field.toLowerCase()) ?? ''];
    const matches =
      value === undefined || value === null ? [] : (index.get(String(value).toLowerCase()) ?? []);
    const body = field === 'Id' ? withoutId(record) : record;
    return planUpsert(request.store, object.name, matches, body, request.userId);
  });
  return run(request, plans, allOrNone);
}

function recordCreate(request: ApiRequest): Reply {
  const object = objectOf(request);
  const body = jsonBody(request) as Record<string, unknown>;
  const [result] = executePlans(
    [planCreate(request.store, object.name, body ?? {}, request.userId)],
    false,
    stampOf(request),
  );
  return json(single(result!), 201);
}

function recordRetrieve(request: ApiRequest): Reply {
  const object = objectOf(request);
  const id = toCaseSafeId(request.params[1]!);
  const record = id ? request.store.records.table(object.name).get(id) : undefined;
  if (!record || record.IsDeleted === true)
    throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
  const requested = request.query.get('fields');
  const fields = requested
    ? fieldList(request, object.name, requested.split(','))
    : object.fields.map((f) => f.name);
  return json(recordJson(request, object.name, record, fields));
}

function recordUpdate(request: ApiRequest): Reply {
  const object = objectOf(request);
  const body = jsonBody(request) as Record<string, unknown>;
  const [result] = executePlans(
    [planUpdate(request.store, object.name, request.params[1], body ?? {}, request.userId)],
    false,
    stampOf(request),
  );
  single(result!);
  return { kind: 'empty', status: 204 };
}

function recordDelete(request: ApiRequest): Reply {
  objectOf(request);
  const [result] = executePlans(
    [planDelete(request.store, request.params[1], request.userId)],
    false,
    stampOf(request),
  );
  single(result!);
  return { kind: 'empty', status: 204 };
}

function recordUpsert(request: ApiRequest): Reply {
  const object = objectOf(request);
  const field = externalIdField(request, object.name, request.params[1]!);
  const value = decodeURIComponent(request.params[2]!);
  const matches = externalIndex(request, object.name, field).get(value.toLowerCase()) ?? [];
  if (matches.length > 1) {
    throw new SalesforceError(300, 'MULTIPLE_CHOICES', `Multiple records found for ${field} = ${value}`);
  }
  const body = {
    ...((jsonBody(request) as Record<string, unknown>) ?? {}),
    ...(field === 'Id' ? {} : { [field]: value }),
  };
  const [result] = executePlans(
    [planUpsert(request.store, object.name, matches, body, request.userId)],
    false,
    stampOf(request),
  );
  const saved = single(result!);
  return json(saved, saved.created ? 201 : 200);
}

/** A single-record call answers a failed save with the HTTP error, not a result array. */
function single(result: SaveResult): SaveResult {
  if (!result.success) {
    const error = result.errors[0]!;
    throw new SalesforceError(
      error.statusCode === 'ENTITY_IS_DELETED' ? 404 : 400,
      error.statusCode,
      error.message,
      error.fields,
    );
  }
  return result;
}

function externalIdField(request: ApiRequest, object: string, name: string): string {
  const def = request.store.schema.field(object, name);
  if (!def || !(def.externalId || def.idLookup)) {
    throw new SalesforceError(
      400,
      'INVALID_FIELD',
      `Field name provided, ${name} is not an External ID or indexed field for ${object}`,
    );
  }
  return def.name;
}

/** Live records of `object` by (case-insensitive) value of `field`. */
function externalIndex(request: ApiRequest, object: string, field: string): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const record of request.store.records.table(object).values()) {
    const value = record[field];
    if (record.IsDeleted === true || value === null || value === undefined) continue;
    const key = String(value).toLowerCase();
    index.set(key, [...(index.get(key) ?? []), String(record.Id)]);
  }
  return index;
}

function withoutId(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => k.toLowerCase() !== 'id'));
}

function fieldList(request: ApiRequest, object: string, names: string[]): string[] {
  return names.map((name) => {
    const def = request.store.schema.field(object, name.trim());
    if (!def)
      throw new SalesforceError(
        400,
        'INVALID_FIELD',
        `No such column '${name.trim()}' on entity '${object}'`,
      );
    return def.name;
  });
}

function recordJson(request: ApiRequest, object: string, record: SObjectRecord, fields: string[]) {
  const json: Record<string, unknown> = {
    attributes: { type: object, url: `${versionPath(request)}/sobjects/${object}/${String(record.Id)}` },
  };
  for (const field of fields) json[field] = record[field] ?? null;
  return json;
}
