import type { EmulatorStore } from '../emulator-store.ts';
import { SalesforceError } from '../salesforce-error.ts';
import { describeGlobal, describeSObject } from '../schema/describe.ts';
import type { ObjectDef } from '../schema/field-def.ts';
import { formatDateTime, parseDateTime } from '../wire-format.ts';
import { json, versionPath, type ApiRequest, type Reply, type Route } from './route.ts';

/** Versions, resources, describe, limits and the replication calls getUpdated / getDeleted (spec §7). */

const DATA = String.raw`^\/services\/data\/v\d+\.\d`;
const MINUTE_MS = 60_000;
const REPLICATION_WINDOW_MS = 30 * 24 * 3600 * 1000;
const MAX_REPLICATION_IDS = 600_000;

export const metadataRoutes: Route[] = [
  {
    name: 'versions',
    method: 'GET',
    pattern: /^\/services\/data\/?$/,
    auth: 'none',
    api: false,
    handle: versions,
  },
  {
    name: 'resources',
    method: 'GET',
    pattern: new RegExp(`${DATA}/?$`),
    auth: 'bearer',
    api: true,
    handle: resources,
  },
  {
    name: 'limits',
    method: 'GET',
    pattern: new RegExp(`${DATA}/limits/?$`),
    auth: 'bearer',
    api: true,
    handle: limits,
  },
  {
    name: 'describeGlobal',
    method: 'GET',
    pattern: new RegExp(`${DATA}/sobjects/?$`),
    auth: 'bearer',
    api: true,
    handle: (r) => json(describeGlobal(r.store.schema, versionPath(r))),
  },
  {
    name: 'describe',
    method: 'GET',
    pattern: new RegExp(`${DATA}/sobjects/(\\w+)/describe/?$`),
    auth: 'bearer',
    api: true,
    handle: (r) => json(describeSObject(r.store.schema, objectOf(r), versionPath(r))),
  },
  {
    name: 'sobject',
    method: 'GET',
    pattern: new RegExp(`${DATA}/sobjects/(\\w+)/?$`),
    auth: 'bearer',
    api: true,
    handle: (r) => {
      const {
        fields: _fields,
        childRelationships: _children,
        ...objectDescribe
      } = describeSObject(r.store.schema, objectOf(r), versionPath(r));
      return json({ objectDescribe, recentItems: [] });
    },
  },
  {
    name: 'updated',
    method: 'GET',
    pattern: new RegExp(`${DATA}/sobjects/(\\w+)/updated/?$`),
    auth: 'bearer',
    api: true,
    handle: updated,
  },
  {
    name: 'deleted',
    method: 'GET',
    pattern: new RegExp(`${DATA}/sobjects/(\\w+)/deleted/?$`),
    auth: 'bearer',
    api: true,
    handle: deleted,
  },
];

export function objectOf(request: ApiRequest): ObjectDef {
  const name = request.params[0]!;
  const def = request.store.schema.object(name);
  if (!def) throw new SalesforceError(404, 'NOT_FOUND', `The requested resource does not exist`);
  return def;
}

function versions(): Reply {
  const list = [];
  for (let major = 31; major <= 64; major++) {
    list.push({ label: `API ${major}.0`, url: `/services/data/v${major}.0`, version: `${major}.0` });
  }
  return json(list);
}

function resources(request: ApiRequest): Reply {
  const base = versionPath(request);
  const names = ['sobjects', 'query', 'queryAll', 'limits', 'composite', 'jobs'];
  return json(Object.fromEntries(names.map((name) => [name, `${base}/${name}`])));
}

function limits(request: ApiRequest): Reply {
  const usage = request.store.usage.snapshot();
  const bulkJobsMax = 10_000;
  return json({
    DailyApiRequests: { Max: usage.limit, Remaining: usage.remaining },
    DailyBulkV2QueryJobs: { Max: bulkJobsMax, Remaining: Math.max(0, bulkJobsMax - usage.bulkQueryJobs) },
    DailyBulkV2QueryFileStorageMB: { Max: 976_562, Remaining: 976_562 },
    DailyBulkApiBatches: { Max: 15_000, Remaining: 15_000 },
    DailyAsyncApexExecutions: { Max: 250_000, Remaining: 250_000 },
    ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
    DataStorageMB: { Max: 1024, Remaining: 1024 },
    FileStorageMB: { Max: 1024, Remaining: 1024 },
    SingleEmail: { Max: 5000, Remaining: 5000 },
  });
}

/** A replication window: seconds truncated, start within 30 days, start before end (spec §7). */
function window(request: ApiRequest): { startMs: number; endMs: number; coveredMs: number } {
  const parse = (name: string) => {
    const text = request.query.get(name);
    const ms = text === null ? null : parseDateTime(text);
    if (ms === null) {
      throw new SalesforceError(
        400,
        'INVALID_REPLICATION_DATE',
        `Missing or invalid ${name} parameter: ${String(text)}`,
      );
    }
    return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
  };
  const startMs = parse('start');
  const endMs = parse('end');
  const nowMs = request.store.clock.nowMs();
  if (startMs < nowMs - REPLICATION_WINDOW_MS) {
    throw new SalesforceError(400, 'INVALID_REPLICATION_DATE', 'startDate cannot be more than 30 days ago');
  }
  if (endMs <= startMs)
    throw new SalesforceError(
      400,
      'INVALID_REPLICATION_DATE',
      'EndDate must chronologically follow the StartDate',
    );
  return { startMs, endMs, coveredMs: Math.min(endMs, Math.floor(nowMs / 1000) * 1000) };
}

function updated(request: ApiRequest): Reply {
  const object = objectOf(request);
  const { startMs, endMs, coveredMs } = window(request);
  const from = formatDateTime(startMs);
  const to = formatDateTime(endMs);
  const ids: string[] = [];
  for (const record of request.store.records.table(object.name).values()) {
    const stamp = record.SystemModstamp;
    if (record.IsDeleted !== true && typeof stamp === 'string' && stamp >= from && stamp < to)
      ids.push(String(record.Id));
  }
  tooMany(ids.length);
  return json({ ids, latestDateCovered: formatDateTime(coveredMs) });
}

function deleted(request: ApiRequest): Reply {
  const object = objectOf(request);
  const { startMs, endMs, coveredMs } = window(request);
  const from = formatDateTime(startMs);
  const to = formatDateTime(endMs);
  const deletedRecords = request.store.records
    .deletions(object.name)
    .filter((d) => d.deletedDate >= from && d.deletedDate < to)
    .map((d) => ({ id: d.id, deletedDate: d.deletedDate }));
  tooMany(deletedRecords.length);
  return json({
    deletedRecords,
    earliestDateAvailable: earliestAvailable(request.store),
    latestDateCovered: formatDateTime(coveredMs),
  });
}

function earliestAvailable(store: EmulatorStore): string {
  const nowMs = store.clock.nowMs();
  return formatDateTime(Math.floor((nowMs - REPLICATION_WINDOW_MS) / MINUTE_MS) * MINUTE_MS);
}

function tooMany(count: number): void {
  if (count > MAX_REPLICATION_IDS) {
    throw new SalesforceError(
      400,
      'EXCEEDED_ID_LIMIT',
      `too many ids: ${count} (limit ${MAX_REPLICATION_IDS})`,
    );
  }
}
