import { validationError } from '../hubspot-error.ts';
import { LIMITS } from '../options.ts';
import type { PortalStore } from '../portal-store.ts';
import { intParam, json, jsonBody, type ApiRequest, type Reply, type Route } from './route.ts';

/**
 * v4 associations (spec §3.6): batch read (an input without associations is an error entry
 * `NO_ASSOCIATIONS_FOUND`, making the answer a 207) and per-object paging; `toObjectId` is a number.
 */
export const associationRoutes: Route[] = [
  {
    name: 'associations.batch.read',
    method: 'POST',
    pattern: /^\/crm\/v4\/associations\/([^/]+)\/([^/]+)\/batch\/read$/,
    handle: batchRead,
  },
  {
    name: 'associations.list',
    method: 'GET',
    pattern: /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/([^/]+)$/,
    handle: listForObject,
  },
];

function batchRead(request: ApiRequest): Reply {
  const { store } = request;
  const from = store.requireType(request.params[0]!);
  const to = store.requireType(request.params[1]!);
  const inputs = jsonBody(request).inputs;
  if (!Array.isArray(inputs)) throw validationError('Invalid input JSON: "inputs" must be an array');
  if (inputs.length > LIMITS.associationBatchMax)
    throw validationError(`Batch input size ${inputs.length} is larger than ${LIMITS.associationBatchMax}`);
  const results: unknown[] = [];
  const errors: unknown[] = [];
  for (const input of inputs as Array<{ id?: unknown; after?: unknown }>) {
    const id = String(input?.id ?? '');
    const all = store.associations.targets(from.name, id, to.name);
    if (all.length === 0) {
      errors.push({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
        message: `No ${to.singular} is associated with ${from.singular} ${id}.`,
        context: { fromObjectId: [id], fromObjectType: [from.singular], toObjectType: [to.singular] },
      });
      continue;
    }
    const start = Number(input.after ?? 0) || 0;
    const page = all.slice(start, start + LIMITS.associationPageMax);
    results.push({
      from: { id },
      to: page.map((toId) => toEntry(store, from.name, to.name, toId)),
      ...(start + LIMITS.associationPageMax < all.length
        ? { paging: { next: { after: String(start + LIMITS.associationPageMax) } } }
        : {}),
    });
  }
  const now = store.clock.now().toISOString();
  const body = { status: 'COMPLETE', results, startedAt: now, completedAt: now };
  return errors.length === 0 ? json(body) : json({ ...body, numErrors: errors.length, errors }, 207);
}

function listForObject(request: ApiRequest): Reply {
  const { store, query } = request;
  const from = store.requireType(request.params[0]!);
  const to = store.requireType(request.params[2]!);
  const all = store.associations.targets(from.name, request.params[1]!, to.name);
  const limit = Math.max(
    1,
    Math.min(LIMITS.associationPageMax, intParam(query, 'limit', LIMITS.associationPageMax)),
  );
  const after = intParam(query, 'after', 0);
  const body: Record<string, unknown> = {
    results: all.slice(after, after + limit).map((toId) => toEntry(store, from.name, to.name, toId)),
  };
  if (after + limit < all.length) body.paging = { next: { after: String(after + limit) } };
  return json(body);
}

function toEntry(store: PortalStore, from: string, to: string, toId: string) {
  return { toObjectId: Number(toId), associationTypes: [store.associationType(from, to)] };
}
