/** Property values as HubSpot sends them: strings, or null for "no value". */
export type PropertyValues = Record<string, string | null>;

/**
 * One version of a CRM record. Versions are immutable: a write stores a new object, so a search
 * result set or a page being served never changes under a reader.
 */
export interface HubSpotRecord {
  readonly id: string;
  readonly properties: Readonly<PropertyValues>;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly archived: boolean;
  readonly archivedAt: string | null;
  /** Emulator time (ms) from which search sees this version (search indexing lag). */
  readonly indexedAtMs: number;
  /** The version search serves until then: the previous one, or null for a new record. */
  readonly previous: HubSpotRecord | null;
}

/** The version of `record` that search sees at `nowMs` (null: not indexed yet). */
export function searchVersion(record: HubSpotRecord, nowMs: number): HubSpotRecord | null {
  return record.indexedAtMs <= nowMs ? record : record.previous;
}
