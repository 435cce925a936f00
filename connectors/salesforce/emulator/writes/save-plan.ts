import type { EmulatorStore } from '../emulator-store.ts';
import { toCaseSafeId } from '../ids.ts';
import type { ObjectDef } from '../schema/field-def.ts';
import type { FieldValue } from '../store/sobject-record.ts';
import { coerceValue } from '../store/value-coercion.ts';

/**
 * API writes (sObject Collections and single-record calls) in two steps, as Salesforce runs a
 * save: every record is validated into a plan first; then the valid plans are applied, or none of
 * them when `allOrNone` is set and one failed (spec §6). Errors carry the per-record `statusCode`.
 */

export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export interface SaveResult {
  id: string | null;
  success: boolean;
  errors: SaveError[];
  created?: boolean;
}

export type SavePlan =
  | { ok: true; id: string | null; created?: boolean; apply(stamp: string): string }
  | { ok: false; id: string | null; errors: SaveError[] };

const ROLLED_BACK: SaveError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

export function executePlans(requested: SavePlan[], allOrNone: boolean, stamp: string): SaveResult[] {
  const plans = withoutDuplicates(requested);
  const rollBack = allOrNone && plans.some((plan) => !plan.ok);
  return plans.map((plan) => {
    if (!plan.ok) return { id: plan.id, success: false, errors: plan.errors };
    if (rollBack) return { id: plan.id, success: false, errors: [ROLLED_BACK] };
    const id = plan.apply(stamp);
    return plan.created === undefined
      ? { id, success: true, errors: [] }
      : { id, success: true, errors: [], created: plan.created };
  });
}

/** A record may be written once per request; later occurrences of its id fail. */
function withoutDuplicates(plans: SavePlan[]): SavePlan[] {
  const seen = new Set<string>();
  return plans.map((plan) => {
    if (!plan.ok || plan.id === null) return plan;
    if (!seen.has(plan.id)) {
      seen.add(plan.id);
      return plan;
    }
    return {
      ok: false,
      id: plan.id,
      errors: [{ statusCode: 'DUPLICATE_VALUE', message: `Duplicate id in list: ${plan.id}`, fields: [] }],
    };
  });
}

export function planUpdate(
  store: EmulatorStore,
  type: unknown,
  rawId: unknown,
  body: Record<string, unknown>,
  userId: string,
): SavePlan {
  const id = typeof rawId === 'string' ? toCaseSafeId(rawId) : null;
  if (!id) return failed(null, 'MALFORMED_ID', `malformed id ${String(rawId)}`);
  const def = writableObject(store, type, 'updateable');
  if ('error' in def) return { ok: false, id, errors: [def.error] };
  const existing = existingRecord(store, def.object, id);
  if (existing) return { ok: false, id, errors: [existing] };
  const current = store.records.table(def.object.name).get(id)!;
  if (def.object.name === 'Lead' && current.IsConverted === true) {
    return failed(id, 'CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead');
  }
  const fields = writeFields(store, def.object, body, 'update');
  if ('error' in fields) return { ok: false, id, errors: [fields.error] };
  const injected = store.recordFaults.take(id);
  if (injected) return { ok: false, id, errors: [injected] };
  return {
    ok: true,
    id,
    apply: (stamp) =>
      String(store.records.update(def.object.name, id, fields.values, { systemModstamp: stamp, userId }).Id),
  };
}

export function planCreate(
  store: EmulatorStore,
  type: unknown,
  body: Record<string, unknown>,
  userId: string,
): SavePlan {
  const def = writableObject(store, type, 'createable');
  if ('error' in def) return { ok: false, id: null, errors: [def.error] };
  const fields = writeFields(store, def.object, body, 'create');
  if ('error' in fields) return { ok: false, id: null, errors: [fields.error] };
  const missing = def.object.fields.filter(
    (f) => !f.nillable && f.createable && !f.defaultedOnCreate && (fields.values[f.name] ?? null) === null,
  );
  if (missing.length > 0) {
    return {
      ok: false,
      id: null,
      errors: [
        {
          statusCode: 'REQUIRED_FIELD_MISSING',
          message: `Required fields are missing: [${missing.map((f) => f.name).join(', ')}]`,
          fields: missing.map((f) => f.name),
        },
      ],
    };
  }
  return {
    ok: true,
    id: null,
    apply: (stamp) =>
      String(store.records.insert(def.object.name, fields.values, { systemModstamp: stamp, userId }).Id),
  };
}

export function planDelete(store: EmulatorStore, rawId: unknown, userId: string): SavePlan {
  const id = typeof rawId === 'string' ? toCaseSafeId(rawId) : null;
  if (!id) return failed(null, 'MALFORMED_ID', `malformed id ${String(rawId)}`);
  const found = store.records.find(id);
  if (!found || found.record.IsDeleted === true) return failed(id, 'ENTITY_IS_DELETED', 'entity is deleted');
  const object = store.schema.object(found.object)!;
  if (!object.deletable)
    return failed(id, 'INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id');
  const injected = store.recordFaults.take(id);
  if (injected) return { ok: false, id, errors: [injected] };
  return {
    ok: true,
    id,
    apply: (stamp) =>
      String(store.records.softDelete(found.object, id, { systemModstamp: stamp, userId }).Id),
  };
}

/** Upsert by an external-id (or Id / idLookup) field: one match updates, none creates. */
export function planUpsert(
  store: EmulatorStore,
  type: string,
  matches: string[],
  body: Record<string, unknown>,
  userId: string,
): SavePlan {
  if (matches.length > 1) {
    return failed(
      null,
      'DUPLICATE_EXTERNAL_ID',
      `more than one record found for external id field: [${matches.join(', ')}]`,
    );
  }
  if (matches.length === 1) {
    const plan = planUpdate(store, type, matches[0], body, userId);
    return plan.ok ? { ...plan, created: false } : plan;
  }
  const plan = planCreate(store, type, body, userId);
  return plan.ok ? { ...plan, created: true } : plan;
}

function writableObject(
  store: EmulatorStore,
  type: unknown,
  access: 'createable' | 'updateable',
): { object: ObjectDef } | { error: SaveError } {
  const object = typeof type === 'string' ? store.schema.object(type) : undefined;
  if (!object) {
    return {
      error: {
        statusCode: 'INVALID_TYPE',
        message: `sObject type '${String(type)}' is not supported.`,
        fields: [],
      },
    };
  }
  if (!object[access]) {
    return {
      error: {
        statusCode: 'INSUFFICIENT_ACCESS_OR_READONLY',
        message: `entity type ${object.name} does not support ${access === 'createable' ? 'insert' : 'update'}`,
        fields: [],
      },
    };
  }
  return { object };
}

function existingRecord(store: EmulatorStore, object: ObjectDef, id: string): SaveError | null {
  const record = store.records.table(object.name).get(id);
  if (record && record.IsDeleted !== true) return null;
  if (record || store.records.deletions(object.name).some((d) => d.id === id)) {
    return { statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] };
  }
  if (id.slice(0, 3) !== object.keyPrefix) {
    return {
      statusCode: 'MALFORMED_ID',
      message: `${object.label} ID: id value of incorrect type: ${id}`,
      fields: ['Id'],
    };
  }
  return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] };
}

/** The body's field values, checked against field access, type and referenced records. */
function writeFields(
  store: EmulatorStore,
  object: ObjectDef,
  body: Record<string, unknown>,
  mode: 'create' | 'update',
): { values: Record<string, FieldValue> } | { error: SaveError } {
  const values: Record<string, FieldValue> = {};
  const locked: string[] = [];
  for (const [name, raw] of Object.entries(body)) {
    if (name === 'attributes' || (name.toLowerCase() === 'id' && mode === 'update')) continue;
    const def = store.schema.field(object.name, name);
    if (!def) {
      return {
        error: {
          statusCode: 'INVALID_FIELD',
          message: `No such column '${name}' on sobject of type ${object.name}`,
          fields: [],
        },
      };
    }
    if (!(mode === 'create' ? def.createable : def.updateable)) {
      locked.push(def.name);
      continue;
    }
    const coerced = coerceValue(def, raw);
    if (!coerced.ok)
      return { error: { statusCode: coerced.statusCode, message: coerced.message, fields: [def.name] } };
    if (coerced.value === null && !def.nillable) {
      return {
        error: {
          statusCode: 'REQUIRED_FIELD_MISSING',
          message: `Required fields are missing: [${def.name}]`,
          fields: [def.name],
        },
      };
    }
    if (def.type === 'reference' && typeof coerced.value === 'string') {
      const problem = referenceProblem(store, object, def.name, def.referenceTo, def.label, coerced.value);
      if (problem) return { error: problem };
    }
    values[def.name] = coerced.value;
  }
  if (locked.length > 0) {
    return {
      error: {
        statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
        message: `Unable to create/update fields: ${locked.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        fields: locked,
      },
    };
  }
  return { values };
}

function referenceProblem(
  store: EmulatorStore,
  object: ObjectDef,
  field: string,
  referenceTo: string[],
  label: string,
  id: string,
): SaveError | null {
  const target = store.records.find(id);
  if (!target || target.record.IsDeleted === true) {
    return {
      statusCode: 'INVALID_CROSS_REFERENCE_KEY',
      message: 'invalid cross reference id',
      fields: [field],
    };
  }
  if (!referenceTo.includes(target.object)) {
    return {
      statusCode: 'FIELD_INTEGRITY_EXCEPTION',
      message: `${label} ID: id value of incorrect type: ${id}`,
      fields: [field],
    };
  }
  if (field === 'OwnerId' && target.object === 'User' && target.record.IsActive === false) {
    return {
      statusCode: 'INACTIVE_OWNER_OR_USER',
      message: `operation performed with inactive user [${id}] as owner of ${object.name.toLowerCase()}`,
      fields: [],
    };
  }
  return null;
}

function failed(id: string | null, statusCode: string, message: string): SavePlan {
  return { ok: false, id, errors: [{ statusCode, message, fields: [] }] };
}
