import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storePage } from '../../src/extract/landing.ts';
import { normalizeConnection } from '../../src/normalize/normalize-stage.ts';
import type { StageContext } from '../../src/stage.ts';
import { salesforceTestConfig, testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const REP = '005000000000001AAA';
const MANAGER = '005000000000002AAA';
const BOT = '005000000000003AAA';
const QUEUE = '00G000000000001AAA';

const stamp = (iso: string) => ({ CreatedDate: iso, LastModifiedDate: iso, SystemModstamp: iso });
/** A won EUR deal, landed first closing March 15th; later its close date is pushed, then it is renamed. */
const BIG_EUR_DEAL = {
  Id: '006000000000001AAA',
  OwnerId: REP,
  Name: 'Big EUR deal',
  StageName: 'Closed Won',
  IsClosed: true,
  IsWon: true,
  Amount: 900,
  CurrencyIsoCode: 'EUR',
  CloseDate: '2026-03-15',
  Probability: 100,
  ForecastCategory: 'Closed',
  ...stamp('2026-01-10T12:00:00.000Z'),
};

/** Lands records the way extraction would (one page per object), bypassing the CRM. */
async function land(ctx: StageContext, object: string, records: Array<Record<string, unknown>>) {
  const { id: runId } = await ctx.db
    .insertInto('runs')
    .values({ connection_id: ctx.connection.id, stage: 'sync', parent_run_id: null, as_of: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await storePage(
    ctx.db,
    ctx.connection.id,
    object,
    {
      records: records.map((data) => ({
        crmId: data.Id as string,
        modstamp: new Date(data.SystemModstamp as string),
        isDeleted: data.IsDeleted === true,
        data: { IsDeleted: false, ...data },
      })),
      rejected: [],
      checkpoint: { watermark: null, cursor: {}, backfillCompleted: false },
    },
    runId,
  );
}

describe('Salesforce normalize', () => {
  let database: TestDatabase;
  let ctx: StageContext;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = salesforceTestConfig({
      connection: {
        mapping: { meetingOutcomeField: 'Meeting_Outcome__c', connectedCallDispositions: ['Connected'] },
      },
    });
    ctx = testStageContext(database.db, config);
    await database.db
      .insertInto('crm_metadata')
      .values({
        connection_id: 'sf',
        key: 'salesforce:describe:Opportunity',
        value: JSON.stringify({
          fields: { StageName: { picklistValues: ['Prospecting', 'Closed Won', 'Closed Lost'] } },
        }),
      })
      .execute();

    await land(ctx, 'CurrencyType', [
      {
        Id: '02c000000000001AAA',
        IsoCode: 'USD',
        ConversionRate: 1,
        IsCorporate: true,
        IsActive: true,
        ...stamp('2024-01-01T00:00:00.000Z'),
      },
      {
        Id: '02c000000000002AAA',
        IsoCode: 'EUR',
        ConversionRate: 0.9,
        IsCorporate: false,
        IsActive: true,
        ...stamp('2024-01-01T00:00:00.000Z'),
      },
    ]);
    await land(ctx, 'DatedConversionRate', [
      {
        Id: '04w000000000001AAA',
        IsoCode: 'EUR',
        StartDate: '2026-01-01',
        NextStartDate: null,
        ConversionRate: 0.8,
        ...stamp('2024-01-01T00:00:00.000Z'),
      },
    ]);
    await land(ctx, 'User', [
      {
        Id: REP,
        Name: 'Rae Rep',
        Email: 'rae@acme.test',
        ManagerId: MANAGER,
        IsActive: true,
        UserType: 'Standard',
        ...stamp('2024-01-01T00:00:00.000Z'),
      },
      {
        Id: MANAGER,
        Name: 'Max Manager',
        Email: 'max@acme.test',
        ManagerId: null,
        IsActive: true,
        UserType: 'Standard',
        ...stamp('2024-01-01T00:00:00.000Z'),
      },
      {
        Id: BOT,
        Name: 'Process',
        IsActive: true,
        UserType: 'AutomatedProcess',
        ...stamp('2024-01-01T00:00:00.000Z'),
      },
    ]);
    await land(ctx, 'Lead', [
      // created 2026-03-02 01:30 UTC = 2026-03-01 evening in New York
      {
        Id: '00Q000000000001AAA',
        OwnerId: QUEUE,
        Status: 'Open',
        LeadSource: 'Partner Referral',
        IsConverted: false,
        ...stamp('2026-03-02T01:30:00.000Z'),
      },
      {
        Id: '00Q000000000002AAA',
        OwnerId: REP,
        Status: 'Closed - Converted',
        IsConverted: true,
        ConvertedDate: '2026-03-10',
        ...stamp('2026-03-05T15:00:00.000Z'),
      },
    ]);
    await land(ctx, 'Opportunity', [
      BIG_EUR_DEAL,
      {
        Id: '006000000000002AAA',
        OwnerId: REP,
        Name: 'Broken',
        StageName: 'Mystery Stage',
        IsClosed: false,
        IsWon: false,
        Amount: 'abc',
        CurrencyIsoCode: 'USD',
        CloseDate: '2026-02-30',
        Probability: 150,
        ForecastCategory: 'Omitted',
        ...stamp('2026-01-11T12:00:00.000Z'),
      },
    ]);
    await land(ctx, 'OpportunityLineItem', [
      {
        Id: '00k000000000001AAA',
        OpportunityId: '006000000000001AAA',
        Quantity: 2,
        ListPrice: 500,
        UnitPrice: 450,
        TotalPrice: 900,
        ...stamp('2026-01-10T12:00:00.000Z'),
      },
      {
        Id: '00k000000000002AAA',
        OpportunityId: null,
        Quantity: 1,
        ListPrice: 1,
        UnitPrice: 1,
        TotalPrice: 1,
        ...stamp('2026-01-10T12:00:00.000Z'),
      },
    ]);
    await land(ctx, 'Quote', [
      {
        Id: '0Q0000000000001AAA',
        OpportunityId: '006000000000001AAA',
        Status: 'Accepted',
        IsSyncing: true,
        Subtotal: 900,
        TotalPrice: 900,
        ...stamp('2026-02-01T12:00:00.000Z'),
      },
    ]);
    await land(ctx, 'Task', [
      {
        Id: '00T000000000001AAA',
        OwnerId: REP,
        TaskSubtype: 'Call',
        Status: 'Completed',
        IsClosed: true,
        ActivityDate: '2026-03-03',
        CompletedDateTime: null,
        CallDisposition: 'Connected',
        CallType: 'Outbound',
        IsArchived: false,
        ...stamp('2026-03-03T15:00:00.000Z'),
      },
      {
        Id: '00T000000000002AAA',
        OwnerId: REP,
        TaskSubtype: 'Email',
        Status: 'Completed',
        IsClosed: true,
        ActivityDate: '2026-03-03',
        CompletedDateTime: '2026-03-04T02:00:00.000Z',
        IsArchived: true,
        ...stamp('2026-03-04T02:00:00.000Z'),
      },
    ]);
    await land(ctx, 'Event', [
      {
        Id: '00U000000000001AAA',
        OwnerId: REP,
        StartDateTime: '2026-03-05T14:00:00.000Z',
        ActivityDate: '2026-03-05',
        IsChild: false,
        IsAllDayEvent: false,
        Meeting_Outcome__c: 'Canceled',
        ...stamp('2026-03-05T15:00:00.000Z'),
      },
      {
        Id: '00U000000000002AAA',
        OwnerId: MANAGER,
        StartDateTime: '2026-03-05T14:00:00.000Z',
        ActivityDate: '2026-03-05',
        IsChild: true,
        IsAllDayEvent: false,
        Meeting_Outcome__c: 'Completed',
        ...stamp('2026-03-05T15:00:00.000Z'),
      },
    ]);
    await land(ctx, 'Period', [
      {
        Id: '026000000000001AAA',
        Type: 'Quarter',
        StartDate: '2026-01-01',
        EndDate: '2026-03-31',
        ...stamp('2024-01-01T00:00:00.000Z'),
      },
    ]);
    await land(ctx, 'ForecastingQuota', [
      {
        Id: '0J9000000000001AAA',
        QuotaOwnerId: REP,
        StartDate: '2026-01-01',
        PeriodId: '026000000000001AAA',
        QuotaAmount: 1000,
        IsAmount: true,
        CurrencyIsoCode: 'EUR',
        ForecastingTypeId: '0Db1',
        ...stamp('2025-12-01T00:00:00.000Z'),
      },
    ]);
    await normalizeConnection(ctx);
  });

  afterAll(async () => {
    await database.drop();
  });

  it('maps reps, leaving non-standard users out and queues to unassigned', async () => {
    const reps = await database.db
      .selectFrom('reps')
      .select(['rep_id', 'manager_id', 'is_deleted'])
      .orderBy('rep_id')
      .execute();
    expect(reps).toEqual([
      { rep_id: REP, manager_id: MANAGER, is_deleted: false },
      { rep_id: MANAGER, manager_id: null, is_deleted: false },
      { rep_id: BOT, manager_id: null, is_deleted: true },
      { rep_id: 'unassigned', manager_id: null, is_deleted: false },
    ]);
    const leads = await database.db
      .selectFrom('leads')
      .select(['lead_id', 'owner_rep_id', 'is_converted', 'converted_on', 'source'])
      .orderBy('lead_id')
      .execute();
    expect(leads).toEqual([
      {
        lead_id: '00Q000000000001AAA',
        owner_rep_id: 'unassigned',
        is_converted: false,
        converted_on: null,
        source: 'Partner Referral',
      },
      {
        lead_id: '00Q000000000002AAA',
        owner_rep_id: REP,
        is_converted: true,
        converted_on: '2026-03-10',
        source: null,
      },
    ]);
  });

  it('converts amounts with the dated rate on the close date and keeps bad values as NULL', async () => {
    const opportunities = await database.db
      .selectFrom('opportunities')
      .select([
        'opportunity_id',
        'amount',
        'currency',
        'amount_home',
        'home_rate',
        'probability',
        'forecast_category',
        'close_date',
        'stage',
      ])
      .orderBy('opportunity_id')
      .execute();
    expect(opportunities).toEqual([
      {
        opportunity_id: '006000000000001AAA',
        amount: 900,
        currency: 'EUR',
        amount_home: 1125,
        home_rate: 1.25,
        probability: 1,
        forecast_category: 'closed',
        close_date: '2026-03-15',
        stage: 'Closed Won',
      },
      {
        opportunity_id: '006000000000002AAA',
        amount: null,
        currency: 'USD',
        amount_home: null,
        home_rate: 1,
        probability: null,
        forecast_category: 'omitted',
        close_date: null,
        stage: 'Mystery Stage',
      },
    ]);
    const issues = await database.db
      .selectFrom('record_issues')
      .select(['object', 'crm_id', 'field', 'code'])
      .orderBy('crm_id')
      .orderBy('field')
      .execute();
    expect(issues).toEqual([
      { object: 'Opportunity', crm_id: '006000000000002AAA', field: 'Amount', code: 'BAD_VALUE' },
      { object: 'Opportunity', crm_id: '006000000000002AAA', field: 'CloseDate', code: 'BAD_VALUE' },
      {
        object: 'Opportunity',
        crm_id: '006000000000002AAA',
        field: 'StageName',
        code: 'UNKNOWN_PICKLIST_VALUE',
      },
    ]);
  });

  it('credits proposals to the opportunity owner and converts quotas to the home currency', async () => {
    expect(
      await database.db
        .selectFrom('proposals')
        .select(['owner_rep_id', 'is_submitted', 'is_accepted', 'is_syncing'])
        .execute(),
    ).toEqual([{ owner_rep_id: REP, is_submitted: true, is_accepted: true, is_syncing: true }]);
    expect(
      await database.db.selectFrom('line_items').select(['line_item_id', 'opportunity_id']).execute(),
    ).toEqual([{ line_item_id: '00k000000000001AAA', opportunity_id: '006000000000001AAA' }]);
    // 1000 EUR at the dated rate 0.8 in force on the period start
    expect(
      await database.db
        .selectFrom('quotas')
        .select(['rep_id', 'period_start', 'period_end', 'amount', 'source'])
        .execute(),
    ).toEqual([
      { rep_id: REP, period_start: '2026-01-01', period_end: '2026-03-31', amount: 1250, source: 'crm' },
    ]);
  });

  it('maps calls, emails and meetings with their dates, outcomes and copies', async () => {
    const activities = await database.db
      .selectFrom('activities')
      .select([
        'activity_id',
        'kind',
        'occurred_on',
        'is_completed',
        'is_connected',
        'direction',
        'is_canceled',
        'is_child',
        'is_archived',
      ])
      .orderBy('activity_id')
      .execute();
    expect(activities).toEqual([
      {
        activity_id: '00T000000000001AAA',
        kind: 'call',
        occurred_on: '2026-03-03',
        is_completed: true,
        is_connected: true,
        direction: 'outbound',
        is_canceled: false,
        is_child: false,
        is_archived: false,
      },
      {
        activity_id: '00T000000000002AAA',
        kind: 'email',
        occurred_on: '2026-03-03',
        is_completed: true,
        is_connected: false,
        direction: 'outbound',
        is_canceled: false,
        is_child: false,
        is_archived: true,
      },
      {
        activity_id: '00U000000000001AAA',
        kind: 'meeting',
        occurred_on: '2026-03-05',
        is_completed: false,
        is_connected: false,
        direction: null,
        is_canceled: true,
        is_child: false,
        is_archived: false,
      },
      {
        activity_id: '00U000000000002AAA',
        kind: 'meeting',
        occurred_on: '2026-03-05',
        is_completed: true,
        is_connected: false,
        direction: null,
        is_canceled: false,
        is_child: true,
        is_archived: false,
      },
    ]);
  });

  it('marks dirty days in the org time zone, and only what a later change touches', async () => {
    // kpi_dirty keeps the month of each marked day
    const marked = async () =>
      (
        await sql<{ rep_id: string; month_start: string }>`
          SELECT rep_id, month_start FROM kpi_dirty ORDER BY rep_id, month_start`.execute(database.db)
      ).rows;
    const dirty = await marked();
    // The queue-owned lead was created 2026-03-02 01:30 UTC = March 1st in New York.
    expect(dirty).toContainEqual({ rep_id: 'unassigned', month_start: '2026-03-01' });
    // The email completed 2026-03-04 02:00 UTC counts on March 3rd in New York.
    expect(dirty).toContainEqual({ rep_id: REP, month_start: '2026-03-01' });
    await sql`DELETE FROM kpi_dirty`.execute(database.db);

    // A pushed close date: both the old and the new day become dirty, nothing else.
    const pushed = {
      ...BIG_EUR_DEAL,
      CloseDate: '2026-04-02',
      LastModifiedDate: '2026-04-02T12:00:00.000Z',
      SystemModstamp: '2026-04-02T12:00:00.000Z',
    };
    await land(ctx, 'Opportunity', [pushed]);
    const run = await normalizeConnection(ctx);
    expect(run.result.changed).toEqual({ opportunities: 1 });
    // (the day it was created, in January, counts opps_created only, which a new close date does
    // not move)
    expect(await marked()).toEqual([
      { rep_id: REP, month_start: '2026-03-01' },
      { rep_id: REP, month_start: '2026-04-01' },
    ]);
    // Re-running with nothing new landed changes nothing.
    const again = await normalizeConnection(ctx);
    expect(again.result.changed).toEqual({});

    // A new name changes the row but no KPI: nothing becomes dirty.
    await sql`DELETE FROM kpi_dirty`.execute(database.db);
    await land(ctx, 'Opportunity', [
      {
        ...pushed,
        Name: 'Big EUR deal (renewal)',
        LastModifiedDate: '2026-04-03T12:00:00.000Z',
        SystemModstamp: '2026-04-03T12:00:00.000Z',
      },
    ]);
    const renamed = await normalizeConnection(ctx);
    expect(renamed.result.changed).toEqual({ opportunities: 1 });
    expect(await marked()).toEqual([]);

    // A lead created 2026-05-01 02:00 UTC was created on April 30th in New York: April is dirty.
    await land(ctx, 'Lead', [
      {
        Id: '00Q000000000009AAA',
        OwnerId: REP,
        Status: 'Open',
        IsConverted: false,
        ...stamp('2026-05-01T02:00:00.000Z'),
      },
    ]);
    await normalizeConnection(ctx);
    expect(await marked()).toEqual([{ rep_id: REP, month_start: '2026-04-01' }]);
  });

  it('propagates deletes', async () => {
    await land(ctx, 'Task', [
      {
        Id: '00T000000000001AAA',
        OwnerId: REP,
        TaskSubtype: 'Call',
        Status: 'Completed',
        IsClosed: true,
        ActivityDate: '2026-03-03',
        CallDisposition: 'Connected',
        CallType: 'Outbound',
        IsDeleted: true,
        ...stamp('2026-04-05T00:00:00.000Z'),
      },
    ]);
    await normalizeConnection(ctx);
    const call = await database.db
      .selectFrom('activities')
      .select('is_deleted')
      .where('activity_id', '=', '00T000000000001AAA')
      .executeTakeFirstOrThrow();
    expect(call.is_deleted).toBe(true);
  });
});
