import type { LandingRecord, RejectedRecord } from '../types.ts';

/** A CRM record as the client returns it (SimplePublicObject…, reshaped: timestamps are Dates). */
export interface ClientRecord {
  id: string;
  properties: Record<string, string | null>;
  createdAt: Date;
  updatedAt: Date;
  archived?: boolean;
  archivedAt?: Date;
  associations?: Record<string, { results: Array<{ id: string }> }>;
}

/**
 * The landing shape of a HubSpot record: its properties at the top level (strings or null, as
 * sent), the envelope's `createdAt`, `updatedAt` (the modstamp, equal to hs_lastmodifieddate),
 * `archived`, `archivedAt`, and `associations` as `{ <object type>: [ids] }`. Embedded v3
 * associations are keyed by display name ("line items"); they land under the type name.
 */
export function toLandingRecord(
  record: ClientRecord,
  associations?: Record<string, string[]>,
): LandingRecord | RejectedRecord {
  if (typeof record?.id !== 'string' || record.id === '')
    return { crmId: '(missing id)', reason: `record without an id: ${JSON.stringify(record).slice(0, 200)}` };
  const linked: Record<string, string[]> = { ...associations };
  for (const [key, value] of Object.entries(record.associations ?? {})) {
    const type = key.replace(/ /g, '_');
    linked[type] = [
      ...new Set([...(linked[type] ?? []), ...value.results.map((entry) => String(entry.id))]),
    ].sort((a, b) => Number(a) - Number(b));
  }
  const modstamp = isDate(record.updatedAt) ? record.updatedAt : null;
  const data: Record<string, unknown> = {
    ...record.properties,
    createdAt: isDate(record.createdAt) ? record.createdAt.toISOString() : null,
    updatedAt: modstamp?.toISOString() ?? null,
    archived: record.archived === true,
    ...(isDate(record.archivedAt) ? { archivedAt: record.archivedAt.toISOString() } : {}),
    ...(Object.keys(linked).length > 0 ? { associations: linked } : {}),
  };
  return { crmId: record.id, modstamp, isDeleted: record.archived === true, data };
}

export function isRejected(record: LandingRecord | RejectedRecord): record is RejectedRecord {
  return 'reason' in record;
}

function isDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}
