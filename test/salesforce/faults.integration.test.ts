import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorFor } from '../../connectors/registry.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/emulator.ts';
import { CrmAuthError } from '../../src/errors/crm-auth-error.ts';
import { CrmUnavailableError } from '../../src/errors/crm-unavailable-error.ts';
import { syncConnection } from '../../src/extract/sync-stage.ts';
import { normalizeConnection } from '../../src/normalize/normalize-stage.ts';
import type { StageContext } from '../../src/stage.ts';
import { configForEmulator, differencesFromGroundTruth } from '../support/salesforce.ts';
import { testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

/** Matches the window query of `object` (not its COUNT() probe). */
const WINDOW_QUERY = (object: string) => `FROM%20${object}%20WHERE.*ORDER%20BY`;

describe('Salesforce faults', () => {
  let emulator: SalesforceEmulator;
  let database: TestDatabase;

  const contextFor = (sync: Record<string, unknown> = {}): StageContext =>
    testStageContext(database.db, configForEmulator(emulator, { sync: { bulkThreshold: 100_000, ...sync } }));
  const tokenRequests = () =>
    emulator.store.requestLog.entries().filter((entry) => entry.path === '/services/oauth2/token').length;

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ seed: 5, scale: 2, queryPageSize: 200 });
  });
  afterAll(async () => {
    await emulator.stop();
  });
  beforeEach(async () => {
    database = await createTestDatabase();
    emulator.store.faults.clear();
    emulator.store.requestLog.reset();
  });
  afterEach(async () => {
    await database.drop();
  });

  it('rides out a short 503/429 burst on a query (jsforce retries GETs itself)', async () => {
    emulator.store.faults.add({
      method: 'GET',
      pathRegex: WINDOW_QUERY('Opportunity'),
      status: 503,
      times: 1,
    });
    emulator.store.faults.add({
      method: 'GET',
      pathRegex: WINDOW_QUERY('Opportunity'),
      status: 429,
      times: 1,
    });
    const run = await syncConnection(contextFor());
    expect(run.status).toBe('succeeded');
    expect(await differencesFromGroundTruth(database.db, emulator, 'sf')).toEqual([]);
    // The two failed attempts cost API calls too, and the run says so.
    const opportunityQueries = emulator.store.requestLog
      .entries()
      .filter(
        (e) => e.path.endsWith('/queryAll') && /FROM Opportunity WHERE.*ORDER BY/.test(String(e.query.q)),
      );
    expect(opportunityQueries.map((e) => e.status)).toEqual([503, 429, 200]);
  });

  it('repeats a GET whose connection was dropped before any answer (an idle keep-alive the server closed)', async () => {
    emulator.store.faults.add({
      method: 'GET',
      pathRegex: WINDOW_QUERY('Lead'),
      dropConnection: true,
      times: 2,
    });
    emulator.store.faults.add({ method: 'GET', pathRegex: '/results', dropConnection: true, times: 2 });
    const run = await syncConnection(contextFor({ bulkThreshold: 300 }));
    expect(run.status).toBe('succeeded');
    expect(emulator.store.faults.list()).toEqual([]);
    expect(await differencesFromGroundTruth(database.db, emulator, 'sf')).toEqual([]);
  });

  it('retries a failed POST itself (jsforce never does), and fails retryably when the failures outlast it', async () => {
    const ctx = contextFor({ bulkThreshold: 300 });
    emulator.store.faults.add({ method: 'POST', pathRegex: '/jobs/query$', status: 500, times: 2 });
    const run = await syncConnection(ctx);
    expect(run.status).toBe('succeeded');
    expect(
      emulator.store.requestLog
        .entries()
        .filter((e) => e.method === 'POST' && e.path.endsWith('/jobs/query'))
        .map((e) => e.status),
    ).toEqual([500, 500, 200]);

    const fresh = await createTestDatabase();
    const other = testStageContext(fresh.db, ctx.config);
    emulator.store.faults.add({ method: 'POST', pathRegex: '/jobs/query$', status: 503, times: 10 });
    const failed = await syncConnection(other).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(CrmUnavailableError);
    const runs = await fresh.db.selectFrom('runs').select(['status', 'error']).execute();
    expect(runs).toEqual([{ status: 'failed', error: expect.stringContaining('SERVER_UNAVAILABLE') }]);
    // What was stored before the failure stays; the next run picks up from there.
    emulator.store.faults.clear();
    const resumed = await syncConnection(other);
    expect(resumed.status).toBe('succeeded');
    expect(resumed.result.objects.find((o) => o.object === 'User')!.mode).toBe('incremental');
    expect(await differencesFromGroundTruth(fresh.db, emulator, 'sf')).toEqual([]);
    await fresh.drop();
  });

  it('refreshes an expired session and replays the request', async () => {
    const ctx = contextFor();
    const session = await connectorFor('salesforce').open(ctx);
    const before = tokenRequests();
    emulator.store.expireTokens();
    const plan = await session.plan();
    expect(plan.objects).toContain('Opportunity');
    expect(tokenRequests() - before).toBe(1);
    // A 401 in the middle of a sync: one refresh, the same request again, no harm done.
    emulator.store.faults.add({ method: 'GET', pathRegex: WINDOW_QUERY('Lead'), status: 401, times: 1 });
    const run = await syncConnection(ctx);
    expect(run.status).toBe('succeeded');
    expect(await differencesFromGroundTruth(database.db, emulator, 'sf')).toEqual([]);
  });

  it('stops a refresh storm with its circuit breaker instead of refreshing forever', async () => {
    emulator.store.faults.add({ method: 'GET', pathRegex: '^/services/data/', status: 401, times: 1000 });
    const before = tokenRequests();
    const error = await syncConnection(contextFor()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmAuthError);
    expect(tokenRequests() - before).toBeLessThanOrEqual(4);
  });

  it('ends cleanly, state saved, at the org’s daily limit or at the configured share of it', async () => {
    const limited = await startSalesforceEmulator({
      seed: 5,
      scale: 2,
      queryPageSize: 200,
      dailyApiLimit: 20,
    });
    const shared = await startSalesforceEmulator({
      seed: 5,
      scale: 2,
      queryPageSize: 200,
      dailyApiLimit: 60,
    });
    try {
      const ctx = testStageContext(
        database.db,
        configForEmulator(limited, { sync: { bulkThreshold: 100_000 } }),
      );
      const stopped = await syncConnection(ctx);
      expect(stopped.status).toBe('budget_stopped');
      expect(stopped.result.stoppedBy).toBe('budget');
      expect(stopped.result.objects.filter((o) => !o.error).length).toBeGreaterThan(0);
      // The next day (the rolling 24 h window has room again) the sync continues where it stopped.
      let finished = stopped;
      for (let day = 1; day <= 3 && finished.status === 'budget_stopped'; day++) {
        limited.store.usage.reset();
        finished = await syncConnection(ctx);
      }
      expect(finished.status).toBe('succeeded');
      expect(finished.result.objects.find((o) => o.object === 'CurrencyType')!.mode).toBe('incremental');
      expect(await differencesFromGroundTruth(database.db, limited, 'sf')).toEqual([]);

      // A budget share: stop once the org has used half of its limit, before Salesforce refuses.
      const other = await createTestDatabase();
      const share = testStageContext(
        other.db,
        configForEmulator(shared, { sync: { bulkThreshold: 100_000, maxDailyApiShare: 0.5 } }),
      );
      const atShare = await syncConnection(share);
      expect(atShare.status).toBe('budget_stopped');
      expect(shared.store.usage.used()).toBeGreaterThanOrEqual(30);
      expect(shared.store.usage.used()).toBeLessThanOrEqual(32);
      await other.drop();
    } finally {
      await limited.stop();
      await shared.stop();
    }
  });

  it('narrows the window on QUERY_TIMEOUT and re-queries from its checkpoint on INVALID_QUERY_LOCATOR', async () => {
    emulator.store.faults.add({
      method: 'GET',
      pathRegex: WINDOW_QUERY('Opportunity'),
      status: 400,
      body: [{ errorCode: 'QUERY_TIMEOUT', message: 'Your query request was running for too long.' }],
      times: 1,
    });
    // Task spans several 200-record pages: its second page's locator expires.
    emulator.store.faults.add({
      method: 'GET',
      pathRegex: '/query/01g',
      status: 400,
      body: [{ errorCode: 'INVALID_QUERY_LOCATOR', message: 'invalid query locator' }],
      times: 1,
    });
    const run = await syncConnection(contextFor());
    expect(run.status).toBe('succeeded');
    expect(await differencesFromGroundTruth(database.db, emulator, 'sf')).toEqual([]);
    const opportunityQueries = emulator.store.requestLog
      .entries()
      .filter(
        (e) => e.path.endsWith('/queryAll') && /FROM Opportunity WHERE.*ORDER BY/.test(String(e.query.q)),
      );
    // timed out once, then two halves of the window
    expect(opportunityQueries.map((e) => e.status)).toEqual([400, 200, 200]);
  });

  it('keeps a malformed record out (reported with its id) and stores bad values as reported NULLs', async () => {
    const truth = emulator.store.groundTruth().Opportunity!.filter((record) => record.IsDeleted === false);
    const good = {
      attributes: { type: 'Opportunity' },
      ...truth[0],
      Amount: 'twelve thousand',
      CloseDate: '2026-02-31',
    };
    const noId = {
      attributes: { type: 'Opportunity' },
      Name: 'No id at all',
      SystemModstamp: truth[1]!.SystemModstamp,
    };
    emulator.store.faults.add({
      method: 'GET',
      pathRegex: WINDOW_QUERY('Opportunity'),
      status: 200,
      body: { totalSize: 2, done: true, records: [good, noId] },
      times: 1,
    });
    const ctx = contextFor();
    const run = await syncConnection(ctx);
    expect(run.status).toBe('succeeded');
    expect(run.result.objects.find((o) => o.object === 'Opportunity')).toMatchObject({
      records: 1,
      rejected: 1,
    });
    await normalizeConnection(ctx);
    const issues = await database.db
      .selectFrom('record_issues')
      .select(['stage', 'object', 'crm_id', 'field', 'code'])
      .orderBy('stage')
      .orderBy('field')
      .execute();
    expect(issues).toEqual([
      {
        stage: 'normalize',
        object: 'Opportunity',
        crm_id: String(truth[0]!.Id),
        field: 'Amount',
        code: 'BAD_VALUE',
      },
      {
        stage: 'normalize',
        object: 'Opportunity',
        crm_id: String(truth[0]!.Id),
        field: 'CloseDate',
        code: 'BAD_VALUE',
      },
      { stage: 'sync', object: 'Opportunity', crm_id: '(missing Id)', field: '', code: 'REJECTED_RECORD' },
    ]);
    const stored = await database.db
      .selectFrom('opportunities')
      .select(['amount', 'close_date'])
      .where('opportunity_id', '=', String(truth[0]!.Id))
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ amount: null, close_date: null });
  });
});
