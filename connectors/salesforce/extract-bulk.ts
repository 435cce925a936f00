import { setTimeout as sleep } from 'node:timers/promises';
import type { ExtractPage, LandingRecord, RejectedRecord } from '../types.ts';
import { BulkCsvError } from './bulk-csv-error.ts';
import { BulkUnavailableError } from './bulk-unavailable-error.ts';
import { classifySalesforceError, toAttainError } from './classify-error.ts';
import { csvRowToLandingRecord, isRejected } from './records.ts';
import type { ObjectQuery, SalesforceApi } from './salesforce-api.ts';
import { soqlDateTime } from './soql.ts';

/** Resume point of a Bulk 2.0 backfill: the job and the results locator to read next. */
export interface BulkCursor {
  mode: 'bulk';
  jobId: string;
  /** Locator of the next results page; null for the first page. */
  locator: string | null;
  /** The backfill covers modstamps below this; it becomes the watermark. */
  targetEnd: string;
}

interface JobInfo {
  id: string;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  errorMessage?: string;
}

/** Starts a Bulk 2.0 `queryAll` job for everything below `targetEnd`. */
export async function startBulkBackfill(
  api: SalesforceApi,
  query: ObjectQuery,
  targetEnd: string,
): Promise<BulkCursor> {
  const conditions = [`${query.modstampField} < ${soqlDateTime(targetEnd)}`];
  if (query.where) conditions.push(`(${query.where})`);
  const soql = `SELECT ${query.fields.join(', ')} FROM ${query.object} WHERE ${conditions.join(' AND ')}`;
  try {
    const job = await api.send<JobInfo>(
      'POST',
      '/jobs/query',
      { operation: 'queryAll', query: soql },
      `bulk job for ${query.object}`,
    );
    return { mode: 'bulk', jobId: job.id, locator: null, targetEnd };
  } catch (error) {
    const { kind } = classifySalesforceError((error as Error).cause ?? error);
    if (kind === 'request' || kind === 'unsupported_object')
      throw new BulkUnavailableError(`Bulk API 2.0 refused the job: ${(error as Error).message}`);
    throw error;
  }
}

/**
 * Reads a Bulk 2.0 job's results page by page (`maxRecords` bounds memory; the locator is saved
 * with each page, so a killed run resumes at the next unread page). jsforce's bulk2.query() is not
 * used: it crashes the process on multi-page results (jsforce#1546).
 */
export async function* extractBulk(
  api: SalesforceApi,
  query: ObjectQuery,
  start: BulkCursor,
): AsyncGenerator<ExtractPage> {
  await waitForJob(api, start.jobId);
  let locator = start.locator;
  for (;;) {
    const params = new URLSearchParams({ maxRecords: String(api.settings.bulkPageSize) });
    if (locator) params.set('locator', locator);
    let page: Awaited<ReturnType<SalesforceApi['csvPage']>>;
    try {
      page = await api.csvPage(`/jobs/query/${start.jobId}/results?${params.toString()}`);
    } catch (error) {
      if (error instanceof BulkCsvError)
        throw new BulkUnavailableError(`Bulk results page unreadable: ${error.message}`);
      const { kind } = classifySalesforceError(error);
      // The job's results are gone (deleted after 7 days, or by an admin): start over with REST.
      if (kind === 'request' || kind === 'unsupported_object')
        throw new BulkUnavailableError(`Bulk results unavailable: ${(error as Error).message}`);
      throw toAttainError(error, `bulk results of ${query.object}`, api.retryAfterMs());
    }
    const records: LandingRecord[] = [];
    const rejected: RejectedRecord[] = [];
    for (const row of page.rows) {
      const record = csvRowToLandingRecord(page.header, row, query.info, query.modstampField);
      if (isRejected(record)) rejected.push(record);
      else records.push(record);
    }
    api.countRecords(page.rows.length);
    const next = page.headers['sforce-locator'];
    if (!next || next === 'null') {
      yield {
        records,
        rejected,
        checkpoint: { watermark: new Date(start.targetEnd), cursor: {}, backfillCompleted: true },
      };
      return;
    }
    locator = next;
    yield {
      records,
      rejected,
      checkpoint: { watermark: null, cursor: { ...start, locator }, backfillCompleted: false },
    };
    api.throwIfAborted();
  }
}

async function waitForJob(api: SalesforceApi, jobId: string): Promise<void> {
  const deadline = Date.now() + api.settings.bulkTimeoutSeconds * 1000;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    let job: JobInfo;
    try {
      job = await api.get<JobInfo>(`/jobs/query/${jobId}`);
    } catch (error) {
      const { kind } = classifySalesforceError(error);
      if (kind === 'request' || kind === 'unsupported_object')
        throw new BulkUnavailableError(`Bulk job ${jobId} is gone: ${(error as Error).message}`);
      throw toAttainError(error, `bulk job ${jobId}`, api.retryAfterMs());
    }
    if (job.state === 'JobComplete') return;
    if (job.state === 'Failed' || job.state === 'Aborted') {
      throw new BulkUnavailableError(
        `Bulk job ${jobId} ended ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ''}`,
      );
    }
    if (Date.now() > deadline)
      throw new BulkUnavailableError(
        `Bulk job ${jobId} still ${job.state} after ${api.settings.bulkTimeoutSeconds}s`,
      );
    await sleep(delay, undefined, { signal: api.signal });
  }
}
