import { ControlError } from '../../../emulator-kit/control-error.ts';
import type { OrgSchema } from '../schema/org-schema.ts';
import type { RecordStore } from '../store/record-store.ts';
import type { FieldValue } from '../store/sobject-record.ts';
import { coerceValue } from '../store/value-coercion.ts';
import { normalizeDateTime } from '../wire-format.ts';

/**
 * Record changes made "as a user would" in the org (control API), outside the API under test:
 * any field may be set, including read-only ones, and `systemModstamp` may be given explicitly
 * to create records with equal or older timestamps than ones a sync has already read.
 */
export type Mutation =
  | { op: 'insert'; object: string; fields: Record<string, unknown>; systemModstamp?: string }
  | { op: 'update'; object: string; id: string; fields: Record<string, unknown>; systemModstamp?: string }
  | { op: 'delete' | 'undelete' | 'purge'; object: string; id: string; systemModstamp?: string };

export interface MutationResult {
  op: Mutation['op'];
  object: string;
  id: string;
}

export function applyMutations(
  store: RecordStore,
  schema: OrgSchema,
  mutations: Mutation[],
): MutationResult[] {
  return mutations.map((mutation) => applyMutation(store, schema, mutation));
}

function applyMutation(store: RecordStore, schema: OrgSchema, mutation: Mutation): MutationResult {
  const def = schema.object(String(mutation.object));
  if (!def) throw new ControlError(`unknown sObject '${String(mutation.object)}'`);
  const options =
    mutation.systemModstamp === undefined ? {} : { systemModstamp: stampOf(mutation.systemModstamp) };
  const object = def.name;
  switch (mutation.op) {
    case 'insert': {
      const record = store.insert(object, fieldsOf(schema, object, mutation.fields), options);
      return { op: mutation.op, object, id: String(record.Id) };
    }
    case 'update':
      store.update(object, mutation.id, fieldsOf(schema, object, mutation.fields), options);
      return { op: mutation.op, object, id: mutation.id };
    case 'delete':
      store.softDelete(object, mutation.id, options);
      return { op: mutation.op, object, id: mutation.id };
    case 'undelete':
      store.undelete(object, mutation.id, options);
      return { op: mutation.op, object, id: mutation.id };
    case 'purge':
      store.purge(object, mutation.id, options);
      return { op: mutation.op, object, id: mutation.id };
    default:
      throw new ControlError(`unknown mutation op '${String((mutation as { op: unknown }).op)}'`);
  }
}

function fieldsOf(
  schema: OrgSchema,
  object: string,
  fields: Record<string, unknown> | undefined,
): Record<string, FieldValue> {
  if (!fields || typeof fields !== 'object') throw new ControlError(`${object} mutation without fields`);
  const out: Record<string, FieldValue> = {};
  for (const [name, raw] of Object.entries(fields)) {
    const def = schema.field(object, name);
    if (!def) throw new ControlError(`no field ${object}.${name}`);
    const coerced = coerceValue(def, raw);
    if (!coerced.ok) throw new ControlError(`${object}.${def.name}: ${coerced.message}`);
    out[def.name] = coerced.value;
  }
  return out;
}

function stampOf(text: string): string {
  const stamp = normalizeDateTime(String(text));
  if (!stamp) throw new ControlError(`systemModstamp '${text}' is not an ISO instant`);
  return stamp;
}
