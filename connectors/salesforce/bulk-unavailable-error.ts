/**
 * Bulk API 2.0 cannot serve this extraction (the job failed, was aborted, timed out, or the org
 * refuses Bulk for the object). Internal to the connector: extraction falls back to REST.
 */
export class BulkUnavailableError extends Error {
  override readonly name = 'BulkUnavailableError';
}
