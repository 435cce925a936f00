/**
 * A stored record: field API name → wire value (datetimes and dates already in their wire form,
 * see wire-format.ts). Records are never modified in place; a write stores a new object, so a
 * query cursor that holds the old objects keeps a consistent point-in-time snapshot.
 */
export type FieldValue = string | number | boolean | null;
export type SObjectRecord = Readonly<Record<string, FieldValue>>;

export interface RecordRef {
  object: string;
  record: SObjectRecord;
}
