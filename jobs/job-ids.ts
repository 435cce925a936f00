/**
 * Deterministic BullMQ job ids. Every scheduler replica that fires for the same (connection,
 * slot) builds the same ids, and BullMQ adds a job whose id exists as a no-op, so N replicas
 * enqueue one run. BullMQ forbids ':' in custom ids (and all-digit ids), hence the compact slot
 * form `20261122T101500Z`. Ids read back unambiguously: the slot part has a fixed shape and CRM
 * object names never hold '-'.
 */

/** `2026-11-22T10:15:00.000Z` → `20261122T101500Z` (a slot is a whole second). */
export function slotKey(slot: Date): string {
  return slot
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

export function extractJobId(connectionId: string, object: string, slot: Date): string {
  return `extract-${connectionId}-${object}-${slotKey(slot)}`;
}

export function normalizeJobId(connectionId: string, slot: Date): string {
  return `normalize-${connectionId}-${slotKey(slot)}`;
}

export function kpisJobId(connectionId: string, slot: Date): string {
  return `kpis-${connectionId}-${slotKey(slot)}`;
}

/** The flow's root: the run of (connection, slot) as a whole. */
export function runJobId(connectionId: string, slot: Date): string {
  return `writeback-${connectionId}-${slotKey(slot)}`;
}

export function digestJobId(schedule: string, slot: Date): string {
  return `digest-${schedule}-${slotKey(slot)}`;
}
