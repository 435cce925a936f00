import type { Clock } from '../../../emulator-kit/clock.ts';
import { IdAllocator } from '../ids.ts';
import { SalesforceError } from '../salesforce-error.ts';
import type { CompiledQuery } from '../soql/compile.ts';
import type { SObjectRecord } from '../store/sobject-record.ts';
import { formatDateTime } from '../wire-format.ts';
import { COLUMN_DELIMITERS, LINE_ENDINGS } from './csv-writer.ts';

export type BulkJobState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export interface BulkJob {
  id: string;
  operation: 'query' | 'queryAll';
  query: CompiledQuery;
  /** Frozen when the job is created. */
  rows: SObjectRecord[];
  createdById: string;
  createdDate: string;
  apiVersion: number;
  columnDelimiter: string;
  lineEnding: string;
  states: BulkJobState[];
  stateIndex: number;
  aborted: boolean;
  servedOffsets: Set<number>;
}

export interface BulkResultsPage {
  job: BulkJob;
  rows: SObjectRecord[];
  /** The next page's locator, or the literal 'null' on the last page (spec §0.3). */
  locator: string;
}

export interface NewBulkJob {
  operation: 'query' | 'queryAll';
  query: CompiledQuery;
  rows: SObjectRecord[];
  createdById: string;
  apiVersion: number;
  columnDelimiter: string;
  lineEnding: string;
}

/**
 * Bulk API 2.0 query jobs (spec §5). A job walks through the configured state sequence, one state
 * per status poll (default UploadComplete → InProgress → JobComplete), and serves its frozen
 * result set as CSV pages addressed by opaque locators.
 */
export class BulkJobs {
  private readonly jobs = new Map<string, BulkJob>();
  private readonly ids = new IdAllocator();
  private readonly clock: Clock;
  private readonly pageSize: number;
  private readonly states: () => BulkJobState[];
  private readonly onPageServed: (page: number) => void;

  constructor(options: {
    clock: Clock;
    pageSize: number;
    states: () => BulkJobState[];
    onPageServed: (page: number) => void;
  }) {
    this.clock = options.clock;
    this.pageSize = options.pageSize;
    this.states = options.states;
    this.onPageServed = options.onPageServed;
  }

  create(spec: NewBulkJob): BulkJob {
    if (!(spec.columnDelimiter in COLUMN_DELIMITERS)) {
      throw new SalesforceError(400, 'INVALIDJOB', `Invalid column delimiter: ${spec.columnDelimiter}`);
    }
    if (!(spec.lineEnding in LINE_ENDINGS)) {
      throw new SalesforceError(400, 'INVALIDJOB', `Invalid line ending: ${spec.lineEnding}`);
    }
    const job: BulkJob = {
      ...spec,
      id: this.ids.allocate('750'),
      createdDate: formatDateTime(this.clock.nowSecondsMs()),
      states: this.states(),
      stateIndex: 0,
      aborted: false,
      servedOffsets: new Set(),
    };
    this.jobs.set(job.id, job);
    return job;
  }

  get(id: string): BulkJob {
    const job = this.jobs.get(id);
    if (!job) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  }

  list(): BulkJob[] {
    return [...this.jobs.values()];
  }

  /** A status poll: reports the job's state, then moves it one step along its sequence. */
  poll(id: string): BulkJob {
    const job = this.get(id);
    if (!job.aborted && job.stateIndex < job.states.length - 1) job.stateIndex++;
    return job;
  }

  abort(id: string): BulkJob {
    const job = this.get(id);
    if (stateOf(job) === 'JobComplete' || stateOf(job) === 'Failed') {
      throw new SalesforceError(400, 'INVALIDJOBSTATE', `Job is already ${stateOf(job)}`);
    }
    job.aborted = true;
    return job;
  }

  delete(id: string): void {
    this.get(id);
    this.jobs.delete(id);
  }

  results(id: string, locator: string | null, maxRecords: number | null): BulkResultsPage {
    const job = this.get(id);
    const state = stateOf(job);
    if (state !== 'JobComplete') {
      throw new SalesforceError(
        state === 'Failed' || state === 'Aborted' ? 400 : 412,
        state === 'Failed' || state === 'Aborted' ? 'INVALIDJOBSTATE' : 'JOB_NOT_COMPLETE',
        `Query job ${job.id} is ${state}`,
      );
    }
    const offset = locator === null ? 0 : decodeLocator(locator);
    if (offset === null || offset > job.rows.length) {
      throw new SalesforceError(400, 'INVALIDLOCATOR', `Invalid locator: ${locator}`);
    }
    const size = maxRecords !== null && maxRecords > 0 ? maxRecords : this.pageSize;
    const end = Math.min(offset + size, job.rows.length);
    if (!job.servedOffsets.has(offset)) {
      job.servedOffsets.add(offset);
      this.onPageServed(job.servedOffsets.size);
    }
    return {
      job,
      rows: job.rows.slice(offset, end),
      locator: end >= job.rows.length ? 'null' : encodeLocator(end),
    };
  }
}

function stateOf(job: BulkJob): BulkJobState {
  return job.aborted ? 'Aborted' : job.states[job.stateIndex]!;
}

export function jobInfo(job: BulkJob, detailed: boolean) {
  const state = stateOf(job);
  const base = {
    id: job.id,
    operation: job.operation,
    object: job.query.object.name,
    createdById: job.createdById,
    createdDate: job.createdDate,
    systemModstamp: job.createdDate,
    state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: job.apiVersion,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
  if (!detailed) return base;
  return {
    ...base,
    jobType: 'V2Query',
    numberRecordsProcessed: state === 'JobComplete' ? job.rows.length : 0,
    retries: 0,
    totalProcessingTime: state === 'JobComplete' ? 42 : 0,
    isPkChunkingSupported: true,
    ...(state === 'Failed' ? { errorMessage: 'Query job failed (emulated failure)' } : {}),
  };
}

function encodeLocator(offset: number): string {
  return Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');
}

function decodeLocator(locator: string): number | null {
  const text = Buffer.from(locator, 'base64').toString('utf8');
  return /^\d+$/.test(text) ? Number(text) : null;
}
