import type { Clock } from '../../../emulator-kit/clock.ts';
import type { OrgSchema } from '../schema/org-schema.ts';
import { isArchivable } from '../store/archive.ts';
import type { RecordStore } from '../store/record-store.ts';
import type { SObjectRecord } from '../store/sobject-record.ts';
import { compileQuery, type CompiledQuery } from '../soql/compile.ts';
import { parseSoql } from '../soql/parser.ts';

export interface QueryEnvironment {
  schema: OrgSchema;
  store: RecordStore;
  clock: Clock;
  org: { timezone: string; fiscalYearStartMonth: number };
}

export function compileSoql(soql: string, env: QueryEnvironment): CompiledQuery {
  return compileQuery(parseSoql(soql), {
    schema: env.schema,
    calendar: { nowMs: env.clock.nowMs(), ...env.org },
    resolve: (id) => env.store.find(id),
  });
}

/**
 * The query's rows: one scan of the object's table, then one sort and the LIMIT. `query` skips
 * deleted records and archived activities; `queryAll` (scanAll) returns them (spec §10.4–10.5).
 * The array holds the record objects of this moment, so it is the cursor's frozen snapshot.
 */
export function selectRows(query: CompiledQuery, store: RecordStore, scanAll: boolean): SObjectRecord[] {
  const hideArchived = !scanAll && isArchivable(query.object.name);
  const filter = query.filter;
  let rows: SObjectRecord[] = [];
  for (const record of store.table(query.object.name).values()) {
    if (!scanAll && record.IsDeleted === true) continue;
    if (hideArchived && record.IsArchived === true) continue;
    if (filter && !filter(record)) continue;
    rows.push(record);
  }
  if (query.sort) rows = query.sort(rows);
  if (query.limit !== null && rows.length > query.limit) rows.length = query.limit;
  return rows;
}
