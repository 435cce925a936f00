import { validationError } from '../hubspot-error.ts';
import { LIMITS } from '../options.ts';
import type { PropertyDef } from '../schema/property-def.ts';
import type { HubSpotRecord } from '../store/hubspot-record.ts';

/**
 * The search API's query language (spec §3.3): filter groups OR'ed, filters in a group AND'ed,
 * one sort, offset paging with `total`, and the hard limits (≤ 200 per page, nothing past the
 * 10,000th result, ≤ 5 groups, ≤ 10 filters per group, ≤ 25 in all).
 */
export interface SearchRequest {
  filterGroups: Array<{ filters: Filter[] }>;
  sort: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' } | null;
  properties: string[] | null;
  query: string | null;
  limit: number;
  after: number;
}

interface Filter {
  propertyName: string;
  operator: string;
  value?: unknown;
  highValue?: unknown;
  values?: unknown[];
}

const OPERATORS = new Set([
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
]);

export function parseSearchRequest(body: unknown): SearchRequest {
  const input = (body ?? {}) as Record<string, unknown>;
  const limit = input.limit === undefined ? LIMITS.searchDefault : Number(input.limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > LIMITS.searchMax)
    throw validationError(`limit must be between 0 and ${LIMITS.searchMax}; got ${String(input.limit)}`);
  const after =
    input.after === undefined || input.after === null || input.after === '' ? 0 : Number(input.after);
  if (!Number.isInteger(after) || after < 0) throw validationError(`Invalid after: ${String(input.after)}`);
  if (after + limit > LIMITS.searchResultCap)
    throw validationError(
      `There was a problem with the request. Paging is limited to ${LIMITS.searchResultCap} results; after=${after} limit=${limit}`,
    );
  const groups = Array.isArray(input.filterGroups)
    ? (input.filterGroups as Array<{ filters?: unknown }>)
    : [];
  if (groups.length > LIMITS.filterGroupsMax)
    throw validationError(`Too many filter groups: ${groups.length} (at most ${LIMITS.filterGroupsMax})`);
  let total = 0;
  const filterGroups = groups.map((group) => {
    const filters = Array.isArray(group?.filters) ? (group.filters as Filter[]) : [];
    if (filters.length > LIMITS.filtersPerGroupMax)
      throw validationError(
        `Too many filters in a group: ${filters.length} (at most ${LIMITS.filtersPerGroupMax})`,
      );
    total += filters.length;
    for (const filter of filters) {
      if (typeof filter?.propertyName !== 'string' || !OPERATORS.has(String(filter.operator)))
        throw validationError(`Invalid filter: ${JSON.stringify(filter)}`);
    }
    return { filters };
  });
  if (total > LIMITS.filtersMax)
    throw validationError(`Too many filters: ${total} (at most ${LIMITS.filtersMax})`);
  const sorts = Array.isArray(input.sorts) ? input.sorts : [];
  if (sorts.length > 1) throw validationError('Only one sort is supported');
  const query = typeof input.query === 'string' ? input.query : null;
  if (query !== null && query.length > LIMITS.queryMaxLength) throw validationError('query is too long');
  return {
    filterGroups,
    sort: sorts.length === 0 ? null : parseSort(sorts[0]),
    properties: Array.isArray(input.properties) ? input.properties.map(String) : null,
    query,
    limit,
    after,
  };
}

/** `"-createdate"`, `"createdate"` or `{propertyName, direction}` (both reach the wire). */
function parseSort(sort: unknown): SearchRequest['sort'] {
  if (typeof sort === 'string') {
    return sort.startsWith('-')
      ? { propertyName: sort.slice(1), direction: 'DESCENDING' }
      : { propertyName: sort, direction: 'ASCENDING' };
  }
  const object = sort as { propertyName?: unknown; direction?: unknown } | null;
  if (typeof object?.propertyName !== 'string')
    throw validationError(`Invalid sort: ${JSON.stringify(sort)}`);
  return {
    propertyName: object.propertyName,
    direction: object.direction === 'DESCENDING' ? 'DESCENDING' : 'ASCENDING',
  };
}

/** The matching records in result order (one search's full result set; the caller pages it). */
export function runSearch(
  records: readonly HubSpotRecord[],
  request: SearchRequest,
  definition: (name: string) => PropertyDef | undefined,
  searchableText: (record: HubSpotRecord) => string,
): HubSpotRecord[] {
  const kind = (name: string): ValueKind => {
    if (name === 'hs_object_id') return 'number';
    const type = definition(name)?.type;
    return type === 'number' ? 'number' : type === 'datetime' || type === 'date' ? 'time' : 'text';
  };
  const groups = request.filterGroups.map((group) =>
    group.filters.map((filter) => compile(filter, kind(filter.propertyName))),
  );
  const tokens = request.query?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
  const matched = records.filter(
    (record) =>
      (groups.length === 0 || groups.some((group) => group.every((test) => test(record)))) &&
      (tokens.length === 0 || tokens.every((token) => searchableText(record).toLowerCase().includes(token))),
  );
  const sort = request.sort;
  if (!sort) return matched.sort(byId);
  const sortKind = kind(sort.propertyName);
  const sign = sort.direction === 'DESCENDING' ? -1 : 1;
  return matched.sort((a, b) => {
    const left = comparable(valueOf(a, sort.propertyName), sortKind);
    const right = comparable(valueOf(b, sort.propertyName), sortKind);
    if (left === null || right === null) return left === right ? byId(a, b) : left === null ? 1 : -1;
    return left < right ? -sign : left > right ? sign : byId(a, b);
  });
}

type ValueKind = 'number' | 'time' | 'text';

function compile(filter: Filter, kind: ValueKind): (record: HubSpotRecord) => boolean {
  const name = filter.propertyName;
  const value = comparable(filter.value, kind);
  const high = comparable(filter.highValue, kind);
  const values = (filter.values ?? []).map((v) => comparable(v, kind));
  const tokenPattern = typeof filter.value === 'string' ? tokenRegExp(filter.value) : null;
  return (record) => {
    const raw = valueOf(record, name);
    const actual = comparable(raw, kind);
    switch (filter.operator) {
      case 'HAS_PROPERTY':
        return raw !== null;
      case 'NOT_HAS_PROPERTY':
        return raw === null;
      case 'EQ':
        return actual !== null && actual === value;
      case 'NEQ':
        return actual !== value;
      case 'LT':
        return actual !== null && value !== null && actual < value;
      case 'LTE':
        return actual !== null && value !== null && actual <= value;
      case 'GT':
        return actual !== null && value !== null && actual > value;
      case 'GTE':
        return actual !== null && value !== null && actual >= value;
      case 'BETWEEN':
        return actual !== null && value !== null && high !== null && actual >= value && actual <= high;
      case 'IN':
        return actual !== null && values.includes(actual);
      case 'NOT_IN':
        return !values.includes(actual);
      case 'CONTAINS_TOKEN':
        return raw !== null && tokenPattern !== null && tokenPattern.test(raw);
      default:
        return raw === null || tokenPattern === null || !tokenPattern.test(raw);
    }
  };
}

function valueOf(record: HubSpotRecord, name: string): string | null {
  return name === 'hs_object_id' ? record.id : (record.properties[name] ?? null);
}

/** Numbers compare numerically, datetimes as instants (epoch ms or ISO), text case-insensitively. */
function comparable(value: unknown, kind: ValueKind): number | string | null {
  if (value === null || value === undefined || value === '') return null;
  const text = String(value);
  if (kind === 'number') {
    const number = Number(text);
    return Number.isFinite(number) ? number : text.toLowerCase();
  }
  if (kind === 'time') {
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    return Number.isNaN(ms) ? text.toLowerCase() : ms;
  }
  return text.toLowerCase();
}

function tokenRegExp(pattern: string): RegExp {
  const escaped = pattern
    .toLowerCase()
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*');
  return new RegExp(`(^|\\W)${escaped}($|\\W)`, 'i');
}

function byId(a: HubSpotRecord, b: HubSpotRecord): number {
  return Number(a.id) - Number(b.id);
}
