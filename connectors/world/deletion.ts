/** The bookkeeping stamps every versioned record carries. */
export interface Stamped {
  createdAt: string;
  modifiedAt: string;
  deletedAt: string | null;
}

/** The latest modification among `records` (ISO instants of one format compare as strings). */
export function latestModification(records: Iterable<Stamped>, floor: string): string {
  let latest = floor;
  for (const record of records) if (record.modifiedAt > latest) latest = record.modifiedAt;
  return latest;
}

/**
 * Soft-deletes `records` at `deletedAt` (a parent's deletion reaching its children, as the
 * recycle bin does). Records already deleted earlier keep their own stamp. Callers pick a
 * `deletedAt` no earlier than any record's last modification, so the deletion is the last change.
 */
export function softDelete(records: Iterable<Stamped>, deletedAt: string): void {
  for (const record of records) {
    if (record.deletedAt !== null) continue;
    record.deletedAt = deletedAt;
    record.modifiedAt = deletedAt;
  }
}
