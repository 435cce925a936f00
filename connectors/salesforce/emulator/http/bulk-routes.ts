import { jobInfo, type BulkJobs } from '../query/bulk-jobs.ts';
import { COLUMN_DELIMITERS, csvChunks, LINE_ENDINGS } from '../query/csv-writer.ts';
import { compileSoql, selectRows } from '../query/run-query.ts';
import { SalesforceError } from '../salesforce-error.ts';
import { json, jsonBody, type ApiRequest, type Reply, type Route } from './route.ts';

/** Bulk API 2.0 query jobs (spec §5): create, poll, read CSV result pages, abort, delete. */

const JOBS = String.raw`^\/services\/data\/v\d+\.\d\/jobs\/query`;

const route = (name: string, method: string, pattern: string, handle: (r: ApiRequest) => Reply): Route => ({
  name,
  method,
  pattern: new RegExp(`${JOBS}${pattern}`),
  auth: 'bearer',
  api: true,
  bulk: true,
  handle,
});

export const bulkRoutes: Route[] = [
  route('bulk.create', 'POST', '/?$', createJob),
  route('bulk.list', 'GET', '/?$', (r) =>
    json({
      done: true,
      records: jobs(r)
        .list()
        .map((job) => jobInfo(job, false)),
      nextRecordsUrl: null,
    }),
  ),
  route('bulk.info', 'GET', '/(\\w+)/?$', (r) => json(jobInfo(jobs(r).poll(r.params[0]!), true))),
  route('bulk.abort', 'PATCH', '/(\\w+)/?$', abortJob),
  route('bulk.delete', 'DELETE', '/(\\w+)/?$', (r) => {
    jobs(r).delete(r.params[0]!);
    return { kind: 'empty', status: 204 };
  }),
  route('bulk.results', 'GET', '/(\\w+)/results/?$', results),
];

function jobs(request: ApiRequest): BulkJobs {
  return request.store.bulkJobs;
}

function createJob(request: ApiRequest): Reply {
  const body = jsonBody(request) as Record<string, unknown> | null;
  const operation = body?.operation;
  if (operation !== 'query' && operation !== 'queryAll') {
    throw new SalesforceError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(operation)}`);
  }
  if (typeof body?.query !== 'string')
    throw new SalesforceError(400, 'INVALIDJOB', 'InvalidJob : query is required');
  const { store } = request;
  const query = compileSoql(body.query, store.queryEnvironment);
  if (query.countOnly) {
    throw new SalesforceError(
      400,
      'API_ERROR',
      'Aggregate queries are not supported in Bulk API 2.0 query jobs',
    );
  }
  const job = store.bulkJobs.create({
    operation,
    query,
    rows: selectRows(query, store.records, operation === 'queryAll'),
    createdById: request.userId,
    apiVersion: Number(/\/v(\d+\.\d)\//.exec(request.path)![1]),
    columnDelimiter: typeof body.columnDelimiter === 'string' ? body.columnDelimiter : 'COMMA',
    lineEnding: typeof body.lineEnding === 'string' ? body.lineEnding : 'LF',
  });
  store.usage.countBulkJob();
  return json(jobInfo(job, false));
}

function abortJob(request: ApiRequest): Reply {
  const body = jsonBody(request) as { state?: unknown } | null;
  if (body?.state !== 'Aborted')
    throw new SalesforceError(400, 'INVALIDJOBSTATE', `Invalid state: ${String(body?.state)}`);
  return json(jobInfo(jobs(request).abort(request.params[0]!), true));
}

function results(request: ApiRequest): Reply {
  const maxRecords = request.query.get('maxRecords');
  if (maxRecords !== null && !/^\d+$/.test(maxRecords)) {
    throw new SalesforceError(400, 'INVALIDPARAMETER', `Invalid maxRecords: ${maxRecords}`);
  }
  const page = jobs(request).results(
    request.params[0]!,
    request.query.get('locator'),
    maxRecords === null ? null : Number(maxRecords),
  );
  const { job } = page;
  return {
    kind: 'csv',
    status: 200,
    headers: { 'Sforce-Locator': page.locator, 'Sforce-NumberOfRecords': String(page.rows.length) },
    chunks: csvChunks(
      job.query,
      page.rows,
      COLUMN_DELIMITERS[job.columnDelimiter]!,
      LINE_ENDINGS[job.lineEnding]!,
    ),
  };
}
