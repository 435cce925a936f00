import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/emulator.ts';
import { NOW, rawGet, rejection, tokenConnection } from './jsforce-client.ts';

type Row = Record<string, string>;
interface JobInfo {
  id: string;
  state: string;
  operation: string;
  object: string;
  numberRecordsProcessed?: number;
}

describe('Salesforce emulator: Bulk API 2.0 query jobs through real jsforce', () => {
  let emulator: SalesforceEmulator;
  let conn: Connection;

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ scale: 3, seed: 12, now: NOW, bulkPageSize: 100 });
    conn = tokenConnection(emulator);
    conn.bulk2.pollInterval = 20;
  });
  afterAll(() => emulator.stop());

  async function completedJob(query: string, operation = 'query'): Promise<JobInfo> {
    const job = await conn.request<JobInfo>({
      method: 'POST',
      url: '/jobs/query',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ operation, query }),
    });
    expect(job).toMatchObject({
      state: 'UploadComplete',
      operation,
      contentType: 'CSV',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    });
    const states = [job.state];
    let info = job;
    while (info.state !== 'JobComplete') {
      info = await conn.request<JobInfo>(`/jobs/query/${job.id}`);
      states.push(info.state);
    }
    expect(states).toEqual(['UploadComplete', 'InProgress', 'JobComplete']);
    return info;
  }

  /** Reads every result page as spec §5.4 does, returning the pages and their locators. */
  async function readPages(jobId: string, maxRecords?: number) {
    const pages: Array<{ rows: Row[]; locator: string; count: string }> = [];
    let locator: string | undefined;
    do {
      const params = [
        maxRecords ? `maxRecords=${maxRecords}` : '',
        locator ? `locator=${encodeURIComponent(locator)}` : '',
      ]
        .filter(Boolean)
        .join('&');
      const { body, headers } = await rawGet(
        conn,
        `/jobs/query/${jobId}/results${params ? `?${params}` : ''}`,
      );
      locator = headers['sforce-locator'];
      pages.push({ rows: body as Row[], locator: locator!, count: headers['sforce-numberofrecords']! });
    } while (locator && locator !== 'null');
    return pages;
  }

  it('serves multi-page CSV results page by page, with Sforce-Locator null on the last page', async () => {
    const soql =
      'SELECT Id, Subject, Owner.Name, CompletedDateTime, IsClosed, CallDurationInSeconds FROM Task ORDER BY Id';
    const expected = emulator.store.query(soql);
    const job = await completedJob(soql);
    expect(job.numberRecordsProcessed).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(200);

    const pages = await readPages(job.id);
    expect(pages).toHaveLength(Math.ceil(expected.length / 100));
    expect(pages.slice(0, -1).every((p) => p.rows.length === 100 && p.locator !== 'null')).toBe(true);
    expect(pages.at(-1)!.locator).toBe('null');
    expect(pages.map((p) => Number(p.count))).toEqual(pages.map((p) => p.rows.length));

    const rows = pages.flatMap((p) => p.rows);
    expect(rows.map((r) => r.Id)).toEqual(expected.map((r) => r.Id));
    expect(Object.keys(rows[0]!)).toEqual([
      'Id',
      'Subject',
      'Owner.Name',
      'CompletedDateTime',
      'IsClosed',
      'CallDurationInSeconds',
    ]);
    const owner = emulator.store.get(String(expected[0]!.OwnerId))!;
    expect(rows[0]!['Owner.Name']).toBe(owner.Name);
    const completed = rows.find((r) => r.CompletedDateTime !== '')!;
    expect(completed.CompletedDateTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    expect(rows.some((r) => r.CompletedDateTime === '')).toBe(true);
    expect(new Set(rows.map((r) => r.IsClosed))).toEqual(new Set(['true', 'false']));
  });

  it('honours maxRecords and serves a retried page again', async () => {
    const job = await completedJob('SELECT Id FROM Lead');
    const pages = await readPages(job.id, 37);
    const total = emulator.store.query('SELECT Id FROM Lead').length;
    expect(pages.map((p) => p.rows.length)).toEqual([
      ...Array<number>(Math.floor(total / 37)).fill(37),
      ...(total % 37 ? [total % 37] : []),
    ]);
    const again = await rawGet(
      conn,
      `/jobs/query/${job.id}/results?maxRecords=37&locator=${pages[0]!.locator}`,
    );
    expect((again.body as Row[]).map((r) => r.Id)).toEqual(pages[1]!.rows.map((r) => r.Id));
  });

  it('queryAll jobs include deleted records and archived activities', async () => {
    const all = emulator.store.groundTruth().Event!;
    const job = await completedJob('SELECT Id, IsDeleted, IsArchived FROM Event', 'queryAll');
    const rows = (await readPages(job.id)).flatMap((p) => p.rows);
    expect(rows).toHaveLength(all.length);
    expect(rows.filter((r) => r.IsDeleted === 'true')).toHaveLength(all.filter((r) => r.IsDeleted).length);
    expect(rows.filter((r) => r.IsArchived === 'true').length).toBeGreaterThan(0);
  });

  it('quotes values RFC 4180 style and renders nulls as empty values', async () => {
    const lead = emulator.store.query('SELECT Id FROM Lead LIMIT 1')[0]!;
    emulator.store.mutate([
      {
        op: 'update',
        object: 'Lead',
        id: String(lead.Id),
        fields: { Company: 'Bob, "Jr." & Sons\nLtd', LeadSource: null },
      },
    ]);
    const job = await completedJob(`SELECT Company, LeadSource FROM Lead WHERE Id = '${String(lead.Id)}'`);
    const { body } = await rawGet(conn, `/jobs/query/${job.id}/results`);
    expect(body).toEqual([{ Company: 'Bob, "Jr." & Sons\nLtd', LeadSource: '' }]);
  });

  it('works with conn.bulk2.query for a single page', async () => {
    const stream = await conn.bulk2.query('SELECT Id, Name FROM Opportunity LIMIT 40');
    const records: Row[] = [];
    for await (const record of stream) records.push(record as Row);
    expect(records).toHaveLength(40);
    expect(records[0]).toEqual({ Id: expect.stringMatching(/^006/), Name: expect.any(String) });
  });

  it('follows the configured state sequence, refuses early results, aborts and deletes', async () => {
    emulator.store.setBulkJobStates(['UploadComplete', 'InProgress', 'Failed']);
    await expect(conn.bulk2.query('SELECT Id FROM Lead')).rejects.toThrow('Query job failed to complete');

    emulator.store.setBulkJobStates(['UploadComplete', 'InProgress', 'InProgress', 'JobComplete']);
    const job = await conn.request<JobInfo>({
      method: 'POST',
      url: '/jobs/query',
      body: JSON.stringify({ operation: 'query', query: 'SELECT Id FROM Lead' }),
      headers: { 'Content-Type': 'application/json' },
    });
    const early = await rejection(rawGet(conn, `/jobs/query/${job.id}/results`));
    expect(early.errorCode).toBe('JOB_NOT_COMPLETE');
    const aborted = await conn.request<JobInfo>({
      method: 'PATCH',
      url: `/jobs/query/${job.id}`,
      body: JSON.stringify({ state: 'Aborted' }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(aborted.state).toBe('Aborted');
    await conn.request({ method: 'DELETE', url: `/jobs/query/${job.id}` });
    const gone = await rejection(conn.request(`/jobs/query/${job.id}`));
    expect(gone.errorCode).toBe('NOT_FOUND');
    emulator.store.setBulkJobStates(['UploadComplete', 'InProgress', 'JobComplete']);
  });

  it('rejects aggregate queries at job creation', async () => {
    const error = await rejection(
      conn.request({
        method: 'POST',
        url: '/jobs/query',
        body: JSON.stringify({ operation: 'query', query: 'SELECT COUNT() FROM Lead' }),
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    expect(error.errorCode).toBe('API_ERROR');
    const bad = await rejection(
      conn.request({
        method: 'POST',
        url: '/jobs/query',
        body: JSON.stringify({ operation: 'query', query: 'SELECT Nope FROM Lead' }),
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    expect(bad.errorCode).toBe('INVALID_FIELD');
  });
});
