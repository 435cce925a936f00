import { compileSoql, selectRows } from '../query/run-query.ts';
import { SalesforceError } from '../salesforce-error.ts';
import { json, versionPath, type ApiRequest, type Reply, type Route } from './route.ts';

/**
 * REST SOQL (spec §4): `query` / `queryAll` run a query and return its first page; the cursor's
 * next pages are served at `/query/{locator}` and `/queryAll/{locator}` (jsforce always uses
 * `/query/`, even for queryAll cursors).
 */

const DATA = String.raw`^\/services\/data\/v\d+\.\d`;

export const queryRoutes: Route[] = [
  {
    name: 'query',
    method: 'GET',
    pattern: new RegExp(`${DATA}/query/?$`),
    auth: 'bearer',
    api: true,
    handle: (r) => runQuery(r, false),
  },
  {
    name: 'queryAll',
    method: 'GET',
    pattern: new RegExp(`${DATA}/queryAll/?$`),
    auth: 'bearer',
    api: true,
    handle: (r) => runQuery(r, true),
  },
  {
    name: 'queryMore',
    method: 'GET',
    pattern: new RegExp(`${DATA}/query(?:All)?/([^/]+)$`),
    auth: 'bearer',
    api: true,
    handle: queryMore,
  },
];

function runQuery(request: ApiRequest, scanAll: boolean): Reply {
  const soql = request.query.get('q');
  if (soql === null)
    throw new SalesforceError(400, 'MALFORMED_QUERY', 'SOQL statements cannot be empty or null');
  const { store } = request;
  const compiled = compileSoql(soql, store.queryEnvironment);
  const rows = selectRows(compiled, store.records, scanAll);
  if (compiled.countOnly) return json({ totalSize: rows.length, done: true, records: [] });
  return json(store.cursors.open(compiled, rows, pageSize(request), versionPath(request)));
}

function queryMore(request: ApiRequest): Reply {
  return json(request.store.cursors.page(request.params[0]!, pageSize(request), versionPath(request)));
}

/** `Sforce-Query-Options: batchSize=N` is clamped to 200..2000 and never exceeds the configured page size. */
function pageSize(request: ApiRequest): number {
  const configured = request.store.settings.queryPageSize;
  const header = request.headers['sforce-query-options'];
  const match = /batchSize\s*=\s*(\d+)/i.exec(Array.isArray(header) ? header.join(',') : (header ?? ''));
  if (!match) return configured;
  return Math.min(configured, Math.max(200, Math.min(2000, Number(match[1]))));
}
