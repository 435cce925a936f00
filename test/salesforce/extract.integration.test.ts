import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SALESFORCE_CATALOG } from '../../connectors/salesforce/catalog.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/emulator.ts';
import { syncConnection } from '../../src/extract/sync-stage.ts';
import type { StageContext } from '../../src/stage.ts';
import { configForEmulator, differencesFromGroundTruth } from '../support/salesforce.ts';
import { testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const QUERY_PAGE = 200;
const BULK_PAGE = 1000;
/** Objects at or above this many records are backfilled through Bulk API 2.0. */
const BULK_THRESHOLD = 300;
const SMALL = new Set(['CurrencyType', 'DatedConversionRate', 'User', 'Period', 'ForecastingQuota']);

describe('Salesforce extraction', () => {
  let emulator: SalesforceEmulator;
  let database: TestDatabase;
  let ctx: StageContext;

  const usage = () => emulator.store.usage.snapshot();
  const truthCount = (object: string) =>
    (emulator.store.groundTruth()[object] ?? []).filter(
      (record) => object !== 'Task' || ['Call', 'Email'].includes(String(record.TaskSubtype)),
    ).length;

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ seed: 11, scale: 2, queryPageSize: QUERY_PAGE });
    database = await createTestDatabase();
    ctx = testStageContext(
      database.db,
      configForEmulator(emulator, {
        sync: {
          bulkThreshold: BULK_THRESHOLD,
          bulkPageSize: BULK_PAGE,
          queryBatchSize: QUERY_PAGE,
          reconcileEveryHours: 1,
        },
      }),
    );
  });

  afterAll(async () => {
    await database.drop();
    await emulator.stop();
  });

  it('backfills every object equal to the ground truth, with no more calls than the pages require', async () => {
    const before = usage().total;
    const run = await syncConnection(ctx);
    expect(run.status).toBe('succeeded');
    expect(await differencesFromGroundTruth(database.db, emulator, 'sf')).toEqual([]);

    // The minimum: describeGlobal, one describe per object, a COUNT() probe for each large
    // object, then its pages — REST pages of 200, or a Bulk job (created UploadComplete, two
    // status polls: InProgress, JobComplete) and its result pages of 1000.
    let expected = 1 + SALESFORCE_CATALOG.length;
    const modes: Record<string, string> = {};
    for (const { name } of SALESFORCE_CATALOG) {
      const count = truthCount(name);
      if (SMALL.has(name)) expected += Math.max(1, Math.ceil(count / QUERY_PAGE));
      else if (count >= BULK_THRESHOLD) {
        expected += 1 + 1 + 2 + Math.max(1, Math.ceil(count / BULK_PAGE));
        modes[name] = 'bulk';
      } else expected += 1 + Math.max(1, Math.ceil(count / QUERY_PAGE));
    }
    expect(Object.keys(modes).length).toBeGreaterThan(0);
    expect(usage().total - before).toBe(expected);
    expect(usage().bulkQueryJobs).toBe(Object.keys(modes).length);
  });

  it('costs one query per object when nothing changed', async () => {
    const before = usage();
    const run = await syncConnection(ctx);
    expect(run.status).toBe('succeeded');
    expect(
      run.result.objects.every((outcome) => outcome.mode === 'incremental' && outcome.written === 0),
    ).toBe(true);
    const after = usage();
    expect(after.total - before.total).toBe(SALESFORCE_CATALOG.length);
    expect((after.byEndpoint.queryAll ?? 0) - (before.byEndpoint.queryAll ?? 0)).toBe(
      SALESFORCE_CATALOG.length,
    );
  });

  it('converges after updates, inserts, deletes and records stamped equal to or older than what it read', async () => {
    const truth = emulator.store.groundTruth();
    const opportunity = truth.Opportunity!.find((record) => record.IsDeleted === false)!;
    const task = truth.Task!.find((record) => record.IsDeleted === false && record.TaskSubtype === 'Call')!;
    const lead = truth.Lead!.find((record) => record.IsDeleted === false)!;
    const state = await database.db.selectFrom('sync_state').select(['object', 'watermark']).execute();
    const watermark = (object: string) => state.find((row) => row.object === object)!.watermark!;
    emulator.store.mutate([
      {
        op: 'update',
        object: 'Opportunity',
        id: String(opportunity.Id),
        fields: { Amount: 123_456.78, StageName: 'Negotiation/Review' },
      },
      {
        op: 'insert',
        object: 'Lead',
        fields: { LastName: 'New', Company: 'Acme', Status: 'Open - Not Contacted', LeadSource: 'Web' },
      },
      { op: 'delete', object: 'Task', id: String(task.Id) },
      // Commit lag: a change stamped exactly at, and a minute before, the watermark already read.
      {
        op: 'update',
        object: 'Lead',
        id: String(lead.Id),
        fields: { Status: 'Working - Contacted' },
        systemModstamp: watermark('Lead').toISOString(),
      },
      {
        op: 'update',
        object: 'Opportunity',
        id: String(truth.Opportunity!.filter((record) => record.IsDeleted === false)[1]!.Id),
        fields: { Probability: 42 },
        systemModstamp: new Date(watermark('Opportunity').getTime() - 60_000).toISOString(),
      },
    ]);
    const run = await syncConnection(ctx);
    expect(run.status).toBe('succeeded');
    expect(await differencesFromGroundTruth(database.db, emulator, 'sf')).toEqual([]);
  });

  it('catches edits made while it pages, on the next run', async () => {
    const opportunities = emulator.store
      .groundTruth()
      .Opportunity!.filter((record) => record.IsDeleted === false);
    // A full re-read pages through Opportunity; after its first page someone edits a record
    // already read and one not read yet, and adds a new one.
    emulator.store.afterPage({
      afterPage: 1,
      cursor: 'query',
      mutations: [
        {
          op: 'update',
          object: 'Opportunity',
          id: String(opportunities[0]!.Id),
          fields: { Name: 'Edited while paging (read)' },
        },
        {
          op: 'update',
          object: 'Opportunity',
          id: String(opportunities[opportunities.length - 1]!.Id),
          fields: { Name: 'Edited while paging (unread)' },
        },
        {
          op: 'insert',
          object: 'Opportunity',
          fields: { Name: 'Inserted while paging', StageName: 'Prospecting', CloseDate: '2026-12-31' },
        },
      ],
    });
    await sql`UPDATE sync_state SET watermark = NULL, cursor = '{}' WHERE object = 'Opportunity'`.execute(
      database.db,
    );
    await syncConnection(ctx, { objects: ['Opportunity'] });
    await syncConnection(ctx);
    expect(await differencesFromGroundTruth(database.db, emulator, 'sf')).toEqual([]);
  });

  it('marks records purged from the recycle bin as deleted, through getDeleted or id reconciliation', async () => {
    const live = emulator.store.groundTruth().Lead!.filter((record) => record.IsDeleted === false);
    // getDeleted covers whole minutes up to the last one; this purge happened five minutes ago.
    const fiveMinutesAgo = new Date(Date.now() - 300_000).toISOString();
    emulator.store.mutate([
      { op: 'purge', object: 'Lead', id: String(live[0]!.Id), systemModstamp: fiveMinutesAgo },
    ]);
    // Reconciliation is due (last one two hours ago): getDeleted covers the gap.
    await sql`UPDATE sync_state SET last_reconciled_at = now() - interval '2 hours' WHERE object = 'Lead'`.execute(
      database.db,
    );
    const before = usage();
    const run = await syncConnection(ctx, { objects: ['Lead'] });
    expect(run.result.objects[0]!.deleted).toBe(1);
    expect(usage().byEndpoint.deleted ?? 0).toBeGreaterThan(before.byEndpoint.deleted ?? 0);

    // Past getDeleted's 30 days, every id is listed instead.
    emulator.store.mutate([
      { op: 'purge', object: 'Lead', id: String(live[1]!.Id), systemModstamp: fiveMinutesAgo },
    ]);
    await sql`UPDATE sync_state SET last_reconciled_at = now() - interval '40 days' WHERE object = 'Lead'`.execute(
      database.db,
    );
    const second = await syncConnection(ctx, { objects: ['Lead'] });
    expect(second.result.objects[0]!.deleted).toBe(1);
    expect(await differencesFromGroundTruth(database.db, emulator, 'sf')).toEqual([]);
  });
});

describe('Salesforce extraction against an org whose clock is not ours', () => {
  it('takes its windows from the server’s Date header, so lag and lookback work on the org’s time', async () => {
    const emulator = await startSalesforceEmulator({ seed: 3, scale: 1, now: '2026-03-10T15:00:00.000Z' });
    const database = await createTestDatabase();
    try {
      const ctx = testStageContext(database.db, configForEmulator(emulator, { sync: { lagSeconds: 300 } }));
      await syncConnection(ctx);
      expect(await differencesFromGroundTruth(database.db, emulator, 'sf')).toEqual([]);
      const lead = emulator.store.groundTruth().Lead!.find((record) => record.IsDeleted === false)!;
      emulator.store.mutate([
        { op: 'update', object: 'Lead', id: String(lead.Id), fields: { Status: 'Working - Contacted' } },
      ]);
      // Within the lag the change is not read yet (it may still be committing)…
      await syncConnection(ctx);
      const pending = await differencesFromGroundTruth(database.db, emulator, 'sf');
      expect(pending.length).toBeGreaterThan(0);
      expect(pending.every((difference) => difference.startsWith(`Lead ${String(lead.Id)}.`))).toBe(true);
      // …ten org-minutes later it is.
      emulator.store.clock.advance(600_000);
      await syncConnection(ctx);
      expect(await differencesFromGroundTruth(database.db, emulator, 'sf')).toEqual([]);
    } finally {
      await database.drop();
      await emulator.stop();
    }
  });
});
