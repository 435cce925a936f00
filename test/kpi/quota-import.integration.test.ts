import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QuotaFileError } from '../../src/kpi/quota-file-error.ts';
import { importQuotaFile } from '../../src/kpi/quota-import.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import * as fixture from './fixtures/hand-computed.ts';

const CONNECTION = 'acme';

describe('quota file import', () => {
  let database: TestDatabase;
  const importText = (text: string) =>
    importQuotaFile(database.db, {
      connectionId: CONNECTION,
      file: 'quotas.csv',
      text,
      calendar: fixture.settings,
      currency: 'USD',
    });
  const fileQuotas = () =>
    database.db
      .selectFrom('quotas')
      .select(['quota_id', 'rep_id', 'period_start', 'period_end', 'amount', 'currency', 'is_deleted'])
      .where('connection_id', '=', CONNECTION)
      .where('source', '=', 'file')
      .orderBy('quota_id')
      .execute();
  const dirty = async () =>
    (
      await database.db
        .selectFrom('kpi_dirty')
        .select(['rep_id', 'month_start'])
        .where('connection_id', '=', CONNECTION)
        .orderBy('rep_id')
        .orderBy('month_start')
        .execute()
    ).map((row) => `${row.rep_id} ${row.month_start}`);

  beforeAll(async () => {
    database = await createTestDatabase();
    await database.db
      .insertInto('reps')
      .values(fixture.reps.map((rep) => ({ ...rep, connection_id: CONNECTION })))
      .execute();
    await database.db
      .insertInto('quotas')
      .values({
        connection_id: CONNECTION,
        source: 'crm',
        quota_id: 'crm-1',
        rep_id: 'r-bob',
        period_start: '2026-05-01',
        period_end: '2026-07-31',
        amount: 50000,
      })
      .execute();
  });
  beforeEach(async () => {
    await database.db.deleteFrom('kpi_dirty').execute();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('imports a good file, deriving period ends from the fiscal calendar and marking the periods dirty', async () => {
    const outcome = await importText(
      'rep,period_start,amount,period_type\nalice@acme.test,2026-05-01,30000,quarter\nr-bob,2026-02-01,150000,year\nr-carol,2026-06-01,5000.50,month\n',
    );
    expect(outcome).toEqual({ rows: 3, inserted: 3, updated: 0, unchanged: 0, deleted: 0 });
    expect(await fileQuotas()).toEqual([
      {
        quota_id: 'r-alice|quarter|2026-05-01',
        rep_id: 'r-alice',
        period_start: '2026-05-01',
        period_end: '2026-07-31',
        amount: 30000,
        currency: 'USD',
        is_deleted: false,
      },
      {
        quota_id: 'r-bob|year|2026-02-01',
        rep_id: 'r-bob',
        period_start: '2026-02-01',
        period_end: '2027-01-31',
        amount: 150000,
        currency: 'USD',
        is_deleted: false,
      },
      {
        quota_id: 'r-carol|month|2026-06-01',
        rep_id: 'r-carol',
        period_start: '2026-06-01',
        period_end: '2026-06-30',
        amount: 5000.5,
        currency: 'USD',
        is_deleted: false,
      },
    ]);
    expect(await dirty()).toEqual(['r-alice 2026-05-01', 'r-bob 2026-02-01', 'r-carol 2026-06-01']);
  });

  it('treats the file as the whole truth: changed rows are updated, missing ones deleted, the same ones left alone', async () => {
    const outcome = await importText(
      'rep,period_start,amount,period_type\nr-alice,2026-05-01,30000,quarter\nr-bob,2026-02-01,160000,year\nr-dan,2026-05-01,1000,\n',
    );
    expect(outcome).toEqual({ rows: 3, inserted: 1, updated: 1, unchanged: 1, deleted: 1 });
    expect((await fileQuotas()).map((q) => [q.quota_id, q.amount, q.is_deleted])).toEqual([
      ['r-alice|quarter|2026-05-01', 30000, false],
      ['r-bob|year|2026-02-01', 160000, false],
      ['r-carol|month|2026-06-01', 5000.5, true],
      ['r-dan|quarter|2026-05-01', 1000, false],
    ]);
    expect(await dirty()).toEqual(['r-bob 2026-02-01', 'r-carol 2026-06-01', 'r-dan 2026-05-01']);
    // the CRM's quota is not the file's business
    const crm = await database.db
      .selectFrom('quotas')
      .select('is_deleted')
      .where('quota_id', '=', 'crm-1')
      .executeTakeFirstOrThrow();
    expect(crm.is_deleted).toBe(false);
  });

  it('writes nothing when any line is bad, and names every bad line', async () => {
    const before = await fileQuotas();
    const attempt = importText(
      'rep,period_start,amount\nr-alice,2026-05-01,1\nr-zed,2026-05-01,1\nr-bob,2026-05-02,1\nr-carol,2026-05-01,lots\n',
    );
    await expect(attempt).rejects.toBeInstanceOf(QuotaFileError);
    const error = (await attempt.catch((e: unknown) => e)) as QuotaFileError;
    expect(error.exitCode).toBe(2);
    expect(error.problems.map((p) => p.line)).toEqual([3, 4, 5]);
    expect(error.message).toContain('quota file quotas.csv has 3 bad line(s); nothing was imported');
    expect(error.message).toContain('line 3: no rep with id or email "r-zed"');
    expect(await fileQuotas()).toEqual(before);
    expect(await dirty()).toEqual([]);
  });

  it('removes every file quota when the file has only its header', async () => {
    const outcome = await importText('rep,period_start,amount\n');
    expect(outcome).toEqual({ rows: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 3 });
    expect((await fileQuotas()).every((q) => q.is_deleted)).toBe(true);
  });
});
