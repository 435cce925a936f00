import type { FieldDef } from '../schema/field-def.ts';
import type { CompiledQuery } from '../soql/compile.ts';
import type { SObjectRecord } from '../store/sobject-record.ts';

/**
 * REST query records (spec §4.2): `attributes {type, url}`, the selected fields in SELECT order,
 * and one nested object per parent relationship (`"Owner": {"attributes": …, "Name": "Ann"}`, or
 * `null` without a parent). Polymorphic parents report their actual type.
 */

type Entry = { kind: 'field'; field: FieldDef } | { kind: 'parent'; relationship: FieldDef; node: Entry[] };

export type RecordJson = Record<string, unknown>;

export function recordProjector(
  query: CompiledQuery,
): (record: SObjectRecord, versionPath: string) => RecordJson {
  const root: Entry[] = [];
  for (const column of query.columns) {
    let node = root;
    for (const relationship of column.relationships) {
      let parent = node.find(
        (entry): entry is Extract<Entry, { kind: 'parent' }> =>
          entry.kind === 'parent' && entry.relationship === relationship,
      );
      if (!parent) node.push((parent = { kind: 'parent', relationship, node: [] }));
      node = parent.node;
    }
    node.push({ kind: 'field', field: column.field });
  }
  const render = (entries: Entry[], type: string, record: SObjectRecord, versionPath: string): RecordJson => {
    const json: RecordJson = {
      attributes: { type, url: `${versionPath}/sobjects/${type}/${String(record.Id)}` },
    };
    for (const entry of entries) {
      if (entry.kind === 'field') {
        json[entry.field.name] = record[entry.field.name] ?? null;
      } else {
        const parent = query.parentOf(entry.relationship, record);
        json[entry.relationship.relationshipName!] = parent
          ? render(entry.node, parent.object, parent.record, versionPath)
          : null;
      }
    }
    return json;
  };
  return (record, versionPath) => render(root, query.object.name, record, versionPath);
}
