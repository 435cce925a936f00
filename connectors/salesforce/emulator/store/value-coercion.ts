import { toCaseSafeId } from '../ids.ts';
import type { FieldDef } from '../schema/field-def.ts';
import { isDate, normalizeDateTime } from '../wire-format.ts';
import { round } from './derived-fields.ts';
import type { FieldValue } from './sobject-record.ts';

/**
 * Turns a JSON value written to a field into its stored form, or says why Salesforce would
 * refuse it (the per-record `statusCode` and message of a save result).
 */
export type Coerced = { ok: true; value: FieldValue } | { ok: false; statusCode: string; message: string };

export function coerceValue(def: FieldDef, raw: unknown): Coerced {
  if (raw === null || raw === undefined || raw === '') {
    if (def.type === 'boolean')
      return fail(
        'INVALID_TYPE_ON_FIELD_IN_RECORD',
        `${def.label}: value not of required type: ${String(raw)}`,
      );
    return { ok: true, value: null };
  }
  switch (def.type) {
    case 'id':
    case 'reference': {
      const id = typeof raw === 'string' ? toCaseSafeId(raw) : null;
      return id
        ? { ok: true, value: id }
        : fail('MALFORMED_ID', `${def.label}: id value of incorrect type: ${String(raw)}`);
    }
    case 'boolean':
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (raw === 'true' || raw === 'false') return { ok: true, value: raw === 'true' };
      return fail(
        'INVALID_TYPE_ON_FIELD_IN_RECORD',
        `${def.label}: value not of required type: ${String(raw)}`,
      );
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return coerceNumber(def, raw);
    case 'date':
      if (typeof raw === 'string' && isDate(raw)) return { ok: true, value: raw };
      return deserializeFailure('date', raw);
    case 'datetime': {
      const value = typeof raw === 'string' ? normalizeDateTime(raw) : null;
      return value ? { ok: true, value } : deserializeFailure('datetime', raw);
    }
    default:
      return coerceText(def, raw);
  }
}

function coerceNumber(def: FieldDef, raw: unknown): Coerced {
  const value =
    typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(value))
    return fail(
      'INVALID_TYPE_ON_FIELD_IN_RECORD',
      `${def.label}: value not of required type: ${String(raw)}`,
    );
  if (def.type === 'int') {
    return Number.isInteger(value)
      ? { ok: true, value }
      : fail('INVALID_TYPE_ON_FIELD_IN_RECORD', `${def.label}: value not of required type: ${value}`);
  }
  const rounded = round(value, def.scale);
  const integerDigits = def.precision - def.scale;
  if (def.precision > 0 && Math.abs(Math.trunc(rounded)) >= 10 ** integerDigits) {
    return fail(
      'NUMBER_OUTSIDE_VALID_RANGE',
      `${def.label}: value outside of valid range on numeric field: ${value}`,
    );
  }
  return { ok: true, value: rounded };
}

function coerceText(def: FieldDef, raw: unknown): Coerced {
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    return deserializeFailure(def.type, raw);
  }
  const value = String(raw);
  if (def.length > 0 && value.length > def.length) {
    return fail(
      'STRING_TOO_LONG',
      `${def.label}: data value too large: ${value.slice(0, 40)} (max length=${def.length})`,
    );
  }
  if (
    def.type === 'picklist' &&
    def.restrictedPicklist &&
    !def.picklistValues.some((v) => v.value === value)
  ) {
    return fail(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${def.label}: bad value for restricted picklist field: ${value}`,
    );
  }
  return { ok: true, value };
}

function deserializeFailure(type: string, raw: unknown): Coerced {
  return fail(
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${type} from VALUE_STRING value ${JSON.stringify(raw)} or request may be missing a required field`,
  );
}

function fail(statusCode: string, message: string): Coerced {
  return { ok: false, statusCode, message };
}
