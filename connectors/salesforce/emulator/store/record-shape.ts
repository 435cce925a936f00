import type { FieldDef } from '../schema/field-def.ts';
import type { FieldValue } from './sobject-record.ts';

/**
 * Builds records of one object with a fixed property layout. V8 turns an object that gets more
 * than a dozen or so properties through keyed stores (`record[name] = value`) into a hash table:
 * about 1.9 KB per Task, which a scale-2000 world (a million records) cannot afford. An object
 * literal naming every field is a compact "fast" object, so each object's layout is compiled once
 * into such a literal; every field is present (null when unset), in describe order.
 */
export type RecordFactory = (
  source: Readonly<Record<string, FieldValue | undefined>>,
) => Record<string, FieldValue>;

export function recordFactory(fields: readonly FieldDef[]): RecordFactory {
  const properties = fields.map((f) => `${JSON.stringify(f.name)}: s[${JSON.stringify(f.name)}] ?? null`);
  return new Function('s', `return { ${properties.join(', ')} };`) as RecordFactory;
}
