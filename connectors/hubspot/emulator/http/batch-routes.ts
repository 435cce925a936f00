import { HubSpotError, validationError } from '../hubspot-error.ts';
import { LIMITS } from '../options.ts';
import type { PortalStore } from '../portal-store.ts';
import type { ObjectTypeDef } from '../schema/object-types.ts';
import type { HubSpotRecord } from '../store/hubspot-record.ts';
import { associationsOf, findRecord, writableType } from './object-routes.ts';
import { recordJson } from './record-json.ts';
import { json, jsonBody, type ApiRequest, type Reply, type Route } from './route.ts';

/**
 * Batch read/update/upsert/create/archive (spec §3.4): at most 100 inputs; a bad property value
 * fails the whole batch with 400; missing records and scripted per-record faults become error
 * entries of a 207 answer while the other inputs succeed.
 */
export const batchRoutes: Route[] = (['read', 'update', 'upsert', 'create', 'archive'] as const).map(
  (op) => ({
    name: `objects.batch.${op}`,
    method: 'POST',
    pattern: new RegExp(`^/crm/v3/objects/([^/]+)/batch/${op}$`),
    handle: (request: ApiRequest) => HANDLERS[op](request),
  }),
);

interface BatchError {
  status: 'error';
  category: string;
  message: string;
  context: { ids: string[] };
  errors: unknown[];
  links: Record<string, string>;
}

const HANDLERS: Record<'read' | 'update' | 'upsert' | 'create' | 'archive', (request: ApiRequest) => Reply> =
  {
    read(request) {
      const { store } = request;
      const type = store.requireType(request.params[0]!);
      const body = jsonBody(request);
      const inputs = inputsOf(body);
      const archived = request.query.get('archived') === 'true';
      const idProperty = typeof body.idProperty === 'string' ? body.idProperty : null;
      const properties = Array.isArray(body.properties) ? body.properties.map(String) : null;
      const history = Array.isArray(body.propertiesWithHistory) ? body.propertiesWithHistory.map(String) : [];
      const results: unknown[] = [];
      const missing: string[] = [];
      for (const input of inputs) {
        const id = idOf(input);
        const record = findRecord(store, type, id, idProperty);
        if (!record || record.archived !== archived) missing.push(id);
        else
          results.push(
            recordJson(store, type, record, { properties: properties ?? [], propertiesWithHistory: history }),
          );
      }
      const errors =
        missing.length === 0
          ? []
          : [
              batchError(
                'OBJECT_NOT_FOUND',
                `Could not get some ${type.singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
                missing,
              ),
            ];
      return batchReply(store, results, errors, 200);
    },

    update(request) {
      const { store } = request;
      const type = writableType(store, request.params[0]!);
      const inputs = inputsOf(jsonBody(request));
      noDuplicates(inputs.map(idOf));
      const checked = inputs.map((input) => store.properties.require(type.name, propertiesOf(input)));
      const results: unknown[] = [];
      const errors: BatchError[] = [];
      const missing: string[] = [];
      inputs.forEach((input, index) => {
        const id = idOf(input);
        const current = findRecord(
          store,
          type,
          id,
          typeof input.idProperty === 'string' ? input.idProperty : null,
        );
        if (!current || current.archived) return void missing.push(id);
        const fault = store.recordFaults.take(type.name, id);
        if (fault) return void errors.push(batchError(fault.category, fault.message, [id]));
        const record = store.update(type.name, current.id, checked[index]!);
        results.push(written(store, type, record, checked[index]!));
      });
      if (missing.length > 0) {
        if (store.settings.batchNotFound === '400')
          throw new HubSpotError(400, 'VALIDATION_ERROR', `No ${type.name} with ids ${missing.join(', ')}`, {
            context: { ids: missing },
          });
        errors.unshift(
          batchError('OBJECT_NOT_FOUND', `Could not update some ${type.name}: they do not exist.`, missing),
        );
      }
      return batchReply(store, results, errors, 200);
    },

    upsert(request) {
      const { store } = request;
      const type = writableType(store, request.params[0]!);
      const inputs = inputsOf(jsonBody(request));
      for (const input of inputs) {
        const idProperty = input.idProperty;
        const def = typeof idProperty === 'string' ? store.properties.get(type.name, idProperty) : undefined;
        if (!def?.hasUniqueValue)
          throw validationError(
            `idProperty ${String(idProperty)} must be a property of ${type.name} with unique values`,
          );
      }
      noDuplicates(inputs.map((input) => `${String(input.idProperty)}:${idOf(input)}`));
      const checked = inputs.map((input) => store.properties.require(type.name, propertiesOf(input)));
      const results: unknown[] = [];
      const errors: BatchError[] = [];
      inputs.forEach((input, index) => {
        const id = idOf(input);
        const idProperty = String(input.idProperty);
        const fault = store.recordFaults.take(type.name, id);
        if (fault) return void errors.push(batchError(fault.category, fault.message, [id]));
        const values = { ...checked[index]!, [idProperty]: id };
        const current = store.findByUnique(type.name, idProperty, id);
        const record = current
          ? store.update(type.name, current.id, values)
          : store.create(type.name, values);
        results.push({ ...written(store, type, record, values), new: current === undefined });
      });
      return batchReply(store, results, errors, 200);
    },

    create(request) {
      const { store } = request;
      const type = writableType(store, request.params[0]!);
      const inputs = inputsOf(jsonBody(request));
      const checked = inputs.map((input) => ({
        values: store.properties.require(type.name, propertiesOf(input)),
        links: associationsOf(store, type, input.associations),
      }));
      const results = checked.map(({ values, links }) => {
        const record = store.create(type.name, values);
        for (const link of links) store.associations.add(type.name, record.id, link.type, link.id);
        return written(store, type, record, values);
      });
      return batchReply(store, results, [], 201);
    },

    archive(request) {
      const { store } = request;
      const type = writableType(store, request.params[0]!);
      for (const input of inputsOf(jsonBody(request))) {
        const record = store.table(type.name).get(idOf(input));
        if (record && !record.archived) store.archive(type.name, record.id);
      }
      return { status: 204 };
    },
  };

function inputsOf(body: Record<string, unknown>): Array<Record<string, unknown>> {
  const inputs = body.inputs;
  if (!Array.isArray(inputs)) throw validationError('Invalid input JSON: "inputs" must be an array');
  if (inputs.length > LIMITS.batchMax)
    throw validationError(
      `Batch input size ${inputs.length} is larger than the maximum allowed of ${LIMITS.batchMax}`,
      {
        context: { limit: [String(LIMITS.batchMax)] },
      },
    );
  return inputs.map((input) =>
    input && typeof input === 'object' ? (input as Record<string, unknown>) : {},
  );
}

function idOf(input: Record<string, unknown>): string {
  const id = input.id;
  if (typeof id !== 'string' && typeof id !== 'number')
    throw validationError('Invalid input JSON: every input needs an "id"');
  return String(id);
}

function propertiesOf(input: Record<string, unknown>): Record<string, unknown> {
  const properties = input.properties;
  if (properties === undefined) return {};
  if (!properties || typeof properties !== 'object')
    throw validationError('Invalid input JSON: "properties" must be an object');
  return properties as Record<string, unknown>;
}

function noDuplicates(ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id))
      throw validationError(`Duplicate IDs found in batch input: [${id}]. IDs must be unique`);
    seen.add(id);
  }
}

function written(
  store: PortalStore,
  type: ObjectTypeDef,
  record: HubSpotRecord,
  values: Record<string, unknown>,
) {
  return recordJson(store, type, record, {
    properties: [...Object.keys(values), ...type.modifiedProperties],
  });
}

function batchError(category: string, message: string, ids: string[]): BatchError {
  return { status: 'error', category, message, context: { ids }, errors: [], links: {} };
}

function batchReply(store: PortalStore, results: unknown[], errors: BatchError[], okStatus: number): Reply {
  const now = store.clock.now().toISOString();
  const body: Record<string, unknown> = {
    status: 'COMPLETE',
    results,
    requestedAt: now,
    startedAt: now,
    completedAt: now,
    links: {},
  };
  if (errors.length === 0) return json(body, okStatus);
  return json({ ...body, numErrors: errors.length, errors }, 207);
}
