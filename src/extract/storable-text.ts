import type { LandingRecord } from '../../connectors/types.ts';

/**
 * PostgreSQL cannot store two things JSON can carry: the NUL character (not in text, not in
 * jsonb) and a UTF-16 surrogate without its pair (not valid UTF-8). A CRM value holding either
 * would make every insert of its page fail — the object could never sync again — so they are
 * replaced by U+FFFD (the replacement character) and the record is reported instead.
 */
// eslint-disable-next-line no-control-regex -- NUL is one of the two things it looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Whether JSON text (as JSON.stringify writes it) may hold such a character: it escapes both as
 * `\u0000` and `\udXXX`, and nothing else that way. A cheap test of a whole page, so the common
 * case costs one scan; a match may be a false alarm (an escaped backslash before "u0000").
 */
export function mayHoldUnstorableText(json: string): boolean {
  return /\\u0000|\\ud[89a-f][0-9a-f]{2}/i.test(json);
}

export interface TextRepair {
  crmId: string;
  /** The record's top-level field whose value (or a value nested in it) was repaired. */
  field: string;
}

/** The records with every unstorable character replaced, and which fields needed it. */
export function repairText(records: readonly LandingRecord[]): {
  records: LandingRecord[];
  repairs: TextRepair[];
} {
  const repairs: TextRepair[] = [];
  const repaired = records.map((record) => {
    const data: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(record.data)) {
      const key = repairString(field);
      const fixed = repairValue(value);
      if (fixed !== value || key !== field) repairs.push({ crmId: record.crmId, field: key });
      data[key] = fixed;
    }
    return { ...record, data };
  });
  return { records: repaired, repairs };
}

/** The value with every string in it repaired; the same value (===) when nothing needed it. */
function repairValue(value: unknown): unknown {
  if (typeof value === 'string') return repairString(value);
  if (Array.isArray(value)) {
    const items = value.map(repairValue);
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const repaired: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const fixedKey = repairString(key);
      const fixed = repairValue(item);
      if (fixedKey !== key || fixed !== item) changed = true;
      repaired[fixedKey] = fixed;
    }
    return changed ? repaired : value;
  }
  return value;
}

function repairString(text: string): string {
  return text.replace(UNSTORABLE, '\ufffd');
}
