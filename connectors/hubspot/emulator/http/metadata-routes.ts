import { HubSpotError, validationError } from '../hubspot-error.ts';
import { LIMITS } from '../options.ts';
import { missingScopes, type PortalStore } from '../portal-store.ts';
import { propertyJson } from '../schema/property-def.ts';
import { ownerJson, type OwnerRecord } from '../store/owners.ts';
import { intParam, json, jsonBody, type ApiRequest, type Reply, type Route } from './route.ts';

/** Owners, pipelines, properties and groups, custom object schemas (spec §3.7–3.10). */
export const metadataRoutes: Route[] = [
  { name: 'owners.list', method: 'GET', pattern: /^\/crm\/v3\/owners$/, handle: listOwners },
  { name: 'owners.get', method: 'GET', pattern: /^\/crm\/v3\/owners\/([^/]+)$/, handle: getOwner },
  {
    name: 'pipelines.list',
    method: 'GET',
    pattern: /^\/crm\/v3\/pipelines\/([^/]+)$/,
    handle: listPipelines,
  },
  {
    name: 'pipelines.get',
    method: 'GET',
    pattern: /^\/crm\/v3\/pipelines\/([^/]+)\/([^/]+)$/,
    handle: getPipeline,
  },
  {
    name: 'pipelines.stages',
    method: 'GET',
    pattern: /^\/crm\/v3\/pipelines\/([^/]+)\/([^/]+)\/stages$/,
    handle: (request) => json({ results: pipelineOf(request).stages }),
  },
  {
    name: 'groups.list',
    method: 'GET',
    pattern: /^\/crm\/v3\/properties\/([^/]+)\/groups$/,
    handle: (request) => json({ results: request.store.properties.listGroups(typeName(request)) }),
  },
  {
    name: 'groups.create',
    method: 'POST',
    pattern: /^\/crm\/v3\/properties\/([^/]+)\/groups$/,
    handle: (request) =>
      json(request.store.properties.createGroup(typeName(request), jsonBody(request)), 201),
  },
  {
    name: 'groups.get',
    method: 'GET',
    pattern: /^\/crm\/v3\/properties\/([^/]+)\/groups\/([^/]+)$/,
    handle: (request) => {
      const group = request.store.properties.getGroup(typeName(request), request.params[1]!);
      if (!group)
        throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `Unable to find group ${request.params[1]}`);
      return json(group);
    },
  },
  {
    name: 'properties.list',
    method: 'GET',
    pattern: /^\/crm\/v3\/properties\/([^/]+)$/,
    handle: (request) =>
      json({ results: request.store.properties.list(typeName(request)).map(propertyJson) }),
  },
  {
    name: 'properties.create',
    method: 'POST',
    pattern: /^\/crm\/v3\/properties\/([^/]+)$/,
    handle: (request) => {
      const created = request.store.properties.create(
        typeName(request),
        jsonBody(request),
        now(request.store),
      );
      return json(propertyJson(created), 201);
    },
  },
  {
    name: 'properties.get',
    method: 'GET',
    pattern: /^\/crm\/v3\/properties\/([^/]+)\/([^/]+)$/,
    handle: (request) => {
      const def = request.store.properties.get(typeName(request), request.params[1]!);
      if (!def)
        throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `Unable to find property ${request.params[1]}`);
      return json(propertyJson(def));
    },
  },
  {
    name: 'properties.update',
    method: 'PATCH',
    pattern: /^\/crm\/v3\/properties\/([^/]+)\/([^/]+)$/,
    handle: (request) =>
      json(
        propertyJson(
          request.store.properties.update(
            typeName(request),
            request.params[1]!,
            jsonBody(request),
            now(request.store),
          ),
        ),
      ),
  },
  ...['/crm-object-schemas/v3/schemas', '/crm/v3/schemas'].flatMap((base): Route[] => {
    const prefix = base.replace(/\//g, '\\/');
    return [
      {
        name: 'schemas.list',
        method: 'GET',
        pattern: new RegExp(`^${prefix}$`),
        handle: (request) =>
          json({ results: request.store.schemaList().map((s) => request.store.schemaJson(s)) }),
      },
      {
        name: 'schemas.create',
        method: 'POST',
        pattern: new RegExp(`^${prefix}$`),
        handle: (request) =>
          json(request.store.schemaJson(request.store.createSchema(jsonBody(request))), 201),
      },
      {
        name: 'schemas.get',
        method: 'GET',
        pattern: new RegExp(`^${prefix}/([^/]+)$`),
        handle: (request) => {
          if (!request.store.features.customObjects) throw missingScopes('crm.schemas.custom.read');
          const schema = request.store.schema(decodeURIComponent(request.params[0]!));
          if (!schema)
            throw new HubSpotError(
              404,
              'OBJECT_NOT_FOUND',
              `Unable to find object type ${request.params[0]}`,
            );
          return json(request.store.schemaJson(schema));
        },
      },
    ];
  }),
];

function listOwners(request: ApiRequest): Reply {
  const { store, query } = request;
  const archived = query.get('archived') === 'true';
  const email = query.get('email')?.toLowerCase() ?? null;
  const owners = store.owners
    .all()
    .filter(
      (owner) => owner.archived === archived && (email === null || owner.email?.toLowerCase() === email),
    );
  const limit = Math.max(1, Math.min(LIMITS.ownersMax, intParam(query, 'limit', LIMITS.ownersDefault)));
  const after = intParam(query, 'after', 0);
  const page = owners.slice(after, after + limit);
  const body: Record<string, unknown> = { results: page.map(ownerJson) };
  if (after + limit < owners.length) {
    const next = String(after + limit);
    body.paging = {
      next: { after: next, link: `${request.baseUrl}/crm/v3/owners/?after=${next}&limit=${limit}` },
    };
  }
  return json(body);
}

function getOwner(request: ApiRequest): Reply {
  const { store, query } = request;
  const key = request.params[0]!;
  const idProperty = query.get('idProperty') ?? 'id';
  if (idProperty !== 'id' && idProperty !== 'userId')
    throw validationError(`idProperty must be id or userId`);
  const archived = query.get('archived') === 'true';
  const owner: OwnerRecord | undefined =
    idProperty === 'id' ? store.owners.get(key) : store.owners.byUserId(Number(key));
  if (!owner || owner.archived !== archived)
    throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `Owner ${key} not found`, { context: { id: [key] } });
  return json(ownerJson(owner));
}

function listPipelines(request: ApiRequest): Reply {
  return json({ results: request.store.pipelines.list(typeName(request)) });
}

function getPipeline(request: ApiRequest): Reply {
  return json(pipelineOf(request));
}

function pipelineOf(request: ApiRequest) {
  const pipeline = request.store.pipelines.get(typeName(request), request.params[1]!);
  if (!pipeline)
    throw new HubSpotError(404, 'OBJECT_NOT_FOUND', `Unable to find pipeline ${request.params[1]}`);
  return pipeline;
}

function typeName(request: ApiRequest): string {
  return request.store.requireType(decodeURIComponent(request.params[0]!)).name;
}

function now(store: PortalStore): string {
  return store.clock.now().toISOString();
}
