import { formatDateTime, localDate } from '../wire-format.ts';
import type { SObjectRecord } from './sobject-record.ts';

/**
 * Activity archiving (spec §10.5): Events that ended more than 365 days ago, and closed Tasks due
 * (or, without a due date, created) more than 365 days ago, are archived. `query` hides them.
 */

const ARCHIVE_AGE_MS = 365 * 24 * 3600 * 1000;

export interface ArchiveCutoff {
  /** Stored-form datetime; older instants are archived. */
  instant: string;
  /** Org-local date; older due dates are archived. */
  date: string;
}

export function archiveCutoff(nowMs: number, timezone: string): ArchiveCutoff {
  const cutoffMs = nowMs - ARCHIVE_AGE_MS;
  return { instant: formatDateTime(cutoffMs), date: localDate(cutoffMs, timezone) };
}

export function isArchivable(object: string): boolean {
  return object === 'Task' || object === 'Event';
}

export function isArchived(object: string, record: SObjectRecord, cutoff: ArchiveCutoff): boolean {
  if (object === 'Event') {
    const end = record.EndDateTime;
    return typeof end === 'string' && end < cutoff.instant;
  }
  if (object === 'Task') {
    if (record.IsClosed !== true) return false;
    const due = record.ActivityDate;
    if (typeof due === 'string') return due < cutoff.date;
    const created = record.CreatedDate;
    return typeof created === 'string' && created < cutoff.instant;
  }
  return false;
}
