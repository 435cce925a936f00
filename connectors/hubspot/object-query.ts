import type { ExtractPage, LandingRecord, RejectedRecord } from '../types.ts';
import type { HubSpotApi } from './hubspot-api.ts';
import { isRejected, toLandingRecord, type ClientRecord } from './records.ts';

/** One object's extraction: the properties the portal has of those wanted, and the associations. */
export interface ObjectQuery {
  object: string;
  properties: string[];
  associations: readonly string[];
}

/** A page's records converted to the landing shape, rejects set apart. */
export function landPage(
  records: readonly ClientRecord[],
  associations: Map<string, Record<string, string[]>> = new Map(),
): Pick<ExtractPage, 'records' | 'rejected'> {
  const landed: LandingRecord[] = [];
  const rejected: RejectedRecord[] = [];
  for (const record of records) {
    const converted = toLandingRecord(record, associations.get(record.id));
    if (isRejected(converted)) rejected.push(converted);
    else landed.push(converted);
  }
  return { records: landed, rejected };
}

/**
 * The associated ids of `ids` for each of `toTypes`, through v4 batch reads (search results carry
 * none). An input without associations is an error entry NO_ASSOCIATIONS_FOUND: zero, not a failure.
 */
export async function readAssociations(
  api: HubSpotApi,
  fromType: string,
  ids: readonly string[],
  toTypes: readonly string[],
): Promise<Map<string, Record<string, string[]>>> {
  const result = new Map<string, Record<string, string[]>>();
  if (ids.length === 0) return result;
  for (const toType of toTypes) {
    let inputs = ids.map((id) => ({ id }));
    while (inputs.length > 0) {
      const response = await api.call(`${fromType} → ${toType} associations`, () =>
        api.apis.associations.getPage(fromType, toType, { inputs }),
      );
      const more: Array<{ id: string; after: string }> = [];
      for (const entry of response.results) {
        const from = String(entry._from.id);
        const linked = result.get(from) ?? {};
        linked[toType] = [...(linked[toType] ?? []), ...entry.to.map((to) => String(to.toObjectId))];
        result.set(from, linked);
        if (entry.paging?.next?.after) more.push({ id: from, after: entry.paging.next.after });
      }
      inputs = more;
    }
  }
  for (const linked of result.values())
    for (const [type, list] of Object.entries(linked))
      linked[type] = [...new Set(list)].sort((a, b) => Number(a) - Number(b));
  return result;
}
