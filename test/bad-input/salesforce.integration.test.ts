import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogObject } from '../../connectors/salesforce/catalog.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/emulator.ts';
import { salesforceId } from '../../connectors/salesforce/emulator/ids.ts';
import type { FieldValue } from '../../connectors/salesforce/emulator/store/sobject-record.ts';
import { runPipeline } from '../../src/pipeline.ts';
import type { StageContext } from '../../src/stage.ts';
import { configForEmulator, writebackDifferences } from '../support/salesforce.ts';
import { testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { HUGE, ODD_UNICODE, ODD_UNICODE_STORED } from './bad-values.ts';

/** A valid id of the given key prefix, far past the ids of the generated org. */
const badId = (prefix: string, n: number) => salesforceId(prefix, 900_000 + n);
const QUINN = badId('005', 1);
const NULL_USER = badId('005', 2);
const OPP = {
  allNull: badId('006', 1),
  wrongTypes: badId('006', 2),
  huge: badId('006', 3),
  unicode: badId('006', 4),
  future: badId('006', 5),
  ancient: badId('006', 6),
  malformed: badId('006', 7),
  negative: badId('006', 8),
  picklist: badId('006', 9),
};
const LEAD = { allNull: badId('00Q', 1), wrongTypes: badId('00Q', 2) };
const TASK = badId('00T', 1);
const EVENT = badId('00U', 1);
const LINE = badId('00k', 1);
const QUOTA = badId('0J9', 1);
const NO_STAMP = badId('00U', 2);

/**
 * Records Salesforce would never send, loaded into the org as they are (the emulator's store,
 * bypassing its validation): every field null, strings in numbers, numbers and words in booleans,
 * objects and arrays where text goes, 1 MB of text, odd Unicode, dates in the years 9999 and 1,
 * 30 February, negative amounts, unknown picklist values. Their owner is Quinn, a rep of their own,
 * so every other rep's KPIs can be compared with a clean copy of the same org.
 */
function loadBadRecords(emulator: SalesforceEmulator, managerId: string): void {
  const now = new Date().toISOString().replace('Z', '+0000');
  const today = now.slice(0, 10);
  const load = (object: string, fields: Record<string, unknown>) =>
    emulator.store.records.load(object, {
      IsDeleted: false,
      CreatedDate: now,
      LastModifiedDate: now,
      SystemModstamp: now,
      ...(fields as Record<string, FieldValue>),
    });
  const allNull = (object: string, Id: string) =>
    load(object, {
      ...Object.fromEntries(catalogObject(object).fields.map((field) => [field, null])),
      Id,
      SystemModstamp: now,
    });
  load('User', {
    Id: QUINN,
    FirstName: 'Quinn',
    LastName: ODD_UNICODE,
    Name: `Quinn ${ODD_UNICODE}`,
    Email: 'quinn@acme.test',
    Username: 'quinn@acme.test',
    ManagerId: managerId,
    IsActive: true,
    UserType: 'Standard',
  });
  allNull('User', NULL_USER);
  const closedWon = { StageName: 'Closed Won', IsClosed: true, IsWon: true, OwnerId: QUINN };
  allNull('Opportunity', OPP.allNull);
  load('Opportunity', {
    Id: OPP.wrongTypes,
    ...closedWon,
    Name: { nested: 'object' },
    Amount: 'twelve hundred',
    Probability: [1, 2],
    IsClosed: 1,
    IsWon: 'yes',
    CloseDate: today,
  });
  load('Opportunity', { Id: OPP.huge, ...closedWon, Name: HUGE, Amount: 100, CloseDate: today });
  load('Opportunity', {
    Id: OPP.unicode,
    ...closedWon,
    Name: ODD_UNICODE,
    LeadSource: ODD_UNICODE,
    Amount: 200,
    CloseDate: today,
  });
  load('Opportunity', {
    Id: OPP.future,
    ...closedWon,
    Amount: 300,
    CloseDate: '9999-12-31',
    CreatedDate: '9999-12-31T23:59:59.000+0000',
  });
  load('Opportunity', {
    Id: OPP.ancient,
    ...closedWon,
    Amount: 400,
    CloseDate: '0001-01-01',
    CreatedDate: '0001-01-01T00:00:00.000+0000',
  });
  load('Opportunity', {
    Id: OPP.malformed,
    ...closedWon,
    Amount: 500,
    CloseDate: '2026-02-30',
    CreatedDate: '2026-02-30T10:00:00.000+0000',
  });
  load('Opportunity', { Id: OPP.negative, ...closedWon, Amount: -5000, CloseDate: today });
  load('Opportunity', {
    Id: OPP.picklist,
    OwnerId: QUINN,
    StageName: 'Wishful Thinking',
    ForecastCategoryName: 'Maybe',
    IsClosed: false,
    IsWon: false,
    Amount: 700,
    CloseDate: today,
  });
  allNull('Lead', LEAD.allNull);
  load('Lead', {
    Id: LEAD.wrongTypes,
    OwnerId: QUINN,
    Status: 'Zombie',
    IsConverted: 'maybe',
    ConvertedDate: '2026-13-45',
    CreatedDate: 'yesterday',
  });
  load('Task', {
    Id: TASK,
    OwnerId: { id: QUINN },
    TaskSubtype: 'Call',
    Status: 'Completed',
    IsClosed: true,
    CompletedDateTime: 'not a time',
    ActivityDate: '0000-00-00',
    CallDurationInSeconds: 'long',
  });
  load('Event', {
    Id: EVENT,
    OwnerId: QUINN,
    StartDateTime: '9999-12-31T23:59:59.000+0000',
    ActivityDate: '0001-01-01',
    DurationInMinutes: -30,
    IsAllDayEvent: 'sometimes',
  });
  load('OpportunityLineItem', {
    Id: LINE,
    OpportunityId: OPP.negative,
    Quantity: -3,
    UnitPrice: 'free',
    ListPrice: -10,
    TotalPrice: -100,
  });
  load('ForecastingQuota', {
    Id: QUOTA,
    QuotaOwnerId: QUINN,
    QuotaAmount: 'lots',
    StartDate: '2026-02-30',
    PeriodId: 'nope',
    IsAmount: true,
  });
}

/**
 * What no store can hold, served as the first page of the Event backfill: the org's real events,
 * then two records without an Id and, last, one whose SystemModstamp is not a time (the page's last
 * record is the resume point of its checkpoint).
 */
function serveCraftedEventPage(emulator: SalesforceEmulator): void {
  const attributes = { type: 'Event' };
  // Every field of every event (the query also asks for the meeting outcome field of the mapping).
  const real = emulator.store.groundTruth().Event!.map((record) => ({ attributes, ...record }));
  const records = [
    ...real,
    { attributes, Id: null, OwnerId: QUINN, SystemModstamp: new Date().toISOString() },
    { attributes, OwnerId: QUINN },
    { attributes, Id: NO_STAMP, OwnerId: QUINN, IsDeleted: false, SystemModstamp: 'last Tuesday' },
  ];
  emulator.store.faults.add({
    method: 'GET',
    pathRegex: '/queryAll\\?q=SELECT%20Id.*%20FROM%20Event%20',
    status: 200,
    body: { totalSize: records.length, done: true, records },
  });
}

/** rep_period_kpis of one connection, scope 'rep', without what differs by connection. */
async function repKpis(database: TestDatabase, connectionId: string, reps: string[]) {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT * FROM rep_period_kpis WHERE connection_id = ${connectionId} AND scope = 'rep' AND rep_id = ANY(${reps}::text[])
    ORDER BY rep_id, period_type, period_start, as_of`.execute(database.db);
  return rows.map(({ connection_id: _c, run_id: _r, computed_at: _t, ...kpis }) => kpis);
}

describe('bad records from Salesforce', () => {
  let clean: SalesforceEmulator;
  let dirty: SalesforceEmulator;
  let database: TestDatabase;
  let cleanCtx: StageContext;
  let dirtyCtx: StageContext;
  let worldReps: string[];

  beforeAll(async () => {
    const now = new Date().toISOString();
    [clean, dirty, database] = await Promise.all([
      startSalesforceEmulator({ seed: 31, scale: 2, now }),
      startSalesforceEmulator({ seed: 31, scale: 2, now }),
      createTestDatabase(),
    ]);
    worldReps = dirty.store.query('SELECT Id FROM User', { scanAll: true }).map((user) => String(user.Id));
    const manager = dirty.store.query('SELECT ManagerId FROM User WHERE ManagerId != null')[0]!.ManagerId;
    loadBadRecords(dirty, String(manager));
    serveCraftedEventPage(dirty);
    cleanCtx = testStageContext(database.db, configForEmulator(clean, { id: 'clean' }));
    dirtyCtx = testStageContext(database.db, configForEmulator(dirty, { id: 'dirty' }));
  });
  afterAll(async () => {
    await database?.drop();
    await Promise.all([clean?.stop(), dirty?.stop()]);
  });

  it('completes the run and reports each problem with its record id and field', async () => {
    const cleanRun = await runPipeline(cleanCtx);
    const run = await runPipeline(dirtyCtx);
    expect(dirty.store.faults.list()).toEqual([]);
    expect(run.status).toBe(cleanRun.status);
    expect(run.result.sync.result.objects.filter((outcome) => outcome.error)).toEqual([]);
    expect(run.result.writeback!.counts.recordsFailed).toBe(0);

    // What the generated org itself has wrong (its edge cases) is reported in both; the rest is ours.
    const issuesOf = async (connectionId: string) =>
      (
        await sql<{ issue: string }>`
          SELECT stage || ' ' || object || ' ' || crm_id || ' ' || field || ' ' || code AS issue
          FROM record_issues WHERE connection_id = ${connectionId} ORDER BY 1`.execute(database.db)
      ).rows.map((row) => row.issue);
    const known = new Set(await issuesOf('clean'));
    const ours = (await issuesOf('dirty')).filter((issue) => !known.has(issue));
    expect(ours).toEqual(
      [
        `sync Event (missing Id)  REJECTED_RECORD`,
        `sync Opportunity ${OPP.unicode} LeadSource TEXT_REPLACED`,
        `sync Opportunity ${OPP.unicode} Name TEXT_REPLACED`,
        `sync User ${QUINN} LastName TEXT_REPLACED`,
        `sync User ${QUINN} Name TEXT_REPLACED`,
        `normalize Event ${EVENT} IsAllDayEvent BAD_VALUE`,
        `normalize ForecastingQuota ${QUOTA} PeriodId MISSING_PERIOD`,
        `normalize ForecastingQuota ${QUOTA} QuotaAmount BAD_VALUE`,
        `normalize ForecastingQuota ${QUOTA} StartDate BAD_VALUE`,
        `normalize Lead ${LEAD.wrongTypes} ConvertedDate BAD_VALUE`,
        `normalize Lead ${LEAD.wrongTypes} CreatedDate BAD_VALUE`,
        `normalize Lead ${LEAD.wrongTypes} IsConverted BAD_VALUE`,
        `normalize Lead ${LEAD.wrongTypes} Status UNKNOWN_PICKLIST_VALUE`,
        `normalize Opportunity ${OPP.malformed} CloseDate BAD_VALUE`,
        `normalize Opportunity ${OPP.malformed} CreatedDate BAD_VALUE`,
        `normalize Opportunity ${OPP.picklist} ForecastCategoryName UNKNOWN_PICKLIST_VALUE`,
        `normalize Opportunity ${OPP.picklist} StageName UNKNOWN_PICKLIST_VALUE`,
        `normalize Opportunity ${OPP.wrongTypes} Amount BAD_VALUE`,
        `normalize Opportunity ${OPP.wrongTypes} IsClosed BAD_VALUE`,
        `normalize Opportunity ${OPP.wrongTypes} IsWon BAD_VALUE`,
        `normalize Opportunity ${OPP.wrongTypes} Name BAD_VALUE`,
        `normalize Opportunity ${OPP.wrongTypes} Probability BAD_VALUE`,
        `normalize OpportunityLineItem ${LINE} UnitPrice BAD_VALUE`,
        `normalize Task ${TASK} ActivityDate BAD_VALUE`,
        `normalize Task ${TASK} CompletedDateTime BAD_VALUE`,
        `normalize Task ${TASK} OwnerId BAD_VALUE`,
      ].sort(),
    );
    const message = async (crmId: string, field: string) =>
      (
        await database.db
          .selectFrom('record_issues')
          .select('message')
          .where('connection_id', '=', 'dirty')
          .where('crm_id', '=', crmId)
          .where('field', '=', field)
          .executeTakeFirstOrThrow()
      ).message;
    expect(await message(OPP.wrongTypes, 'Amount')).toBe(
      'Opportunity.Amount is not a valid numeric: twelve hundred',
    );
    expect(await message(TASK, 'OwnerId')).toBe(`Task.OwnerId is not a valid text: {"id": "${QUINN}"}`);
    expect(await message('(missing Id)', '')).toMatch(/^Event record without an Id: \{/);
  });

  it('keeps every record that has an id, with what could not be read as NULL', async () => {
    const opportunities = await database.db
      .selectFrom('opportunities')
      .select([
        'opportunity_id',
        'owner_rep_id',
        'name',
        'stage',
        'amount',
        'is_won',
        'close_date',
        'created_at',
      ])
      .where('connection_id', '=', 'dirty')
      .where('opportunity_id', 'in', Object.values(OPP))
      .orderBy('opportunity_id')
      .execute();
    const byId = new Map(opportunities.map((row) => [row.opportunity_id, row]));
    expect(byId.size).toBe(Object.keys(OPP).length);
    expect(byId.get(OPP.allNull)).toMatchObject({ owner_rep_id: 'unassigned', name: null, amount: null });
    expect(byId.get(OPP.wrongTypes)).toMatchObject({ name: null, amount: null, is_won: false });
    expect(byId.get(OPP.huge)!.name).toHaveLength(HUGE.length);
    expect(byId.get(OPP.unicode)!.name).toBe(ODD_UNICODE_STORED);
    expect(byId.get(OPP.future)).toMatchObject({
      close_date: '9999-12-31',
      created_at: new Date('9999-12-31T23:59:59Z'),
    });
    expect(byId.get(OPP.ancient)).toMatchObject({
      close_date: '0001-01-01',
      created_at: new Date('0001-01-01T00:00:00Z'),
    });
    expect(byId.get(OPP.malformed)).toMatchObject({ close_date: null, created_at: null, amount: 500 });
    expect(byId.get(OPP.negative)).toMatchObject({ amount: -5000, is_won: true });
    expect(byId.get(OPP.picklist)).toMatchObject({ stage: 'Wishful Thinking', amount: 700 });

    const count = async (
      table: 'leads' | 'activities' | 'line_items' | 'reps',
      column: string,
      ids: string[],
    ) =>
      Number(
        (
          await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}
            WHERE connection_id = 'dirty' AND ${sql.ref(column)} = ANY(${ids}::text[])`.execute(database.db)
        ).rows[0]!.n,
      );
    expect(await count('leads', 'lead_id', Object.values(LEAD))).toBe(2);
    expect(await count('activities', 'activity_id', [TASK, EVENT, NO_STAMP])).toBe(3);
    expect(await count('line_items', 'line_item_id', [LINE])).toBe(1);
    expect(await count('reps', 'rep_id', [QUINN, NULL_USER])).toBe(2);
    const stored = await database.db
      .selectFrom('crm_records')
      .select(['modstamp', 'data'])
      .where('connection_id', '=', 'dirty')
      .where('crm_id', '=', NO_STAMP)
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ modstamp: null, data: { SystemModstamp: 'last Tuesday' } });
  });

  it('computes every other rep’s KPIs exactly as without the bad records, and Quinn’s from what was readable', async () => {
    expect(await repKpis(database, 'dirty', worldReps)).toEqual(await repKpis(database, 'clean', worldReps));
    const { rows } = await sql<{ bookings: number; opps_won: number }>`
      SELECT bookings, opps_won FROM rep_period_kpis
      WHERE connection_id = 'dirty' AND scope = 'rep' AND rep_id = ${QUINN} AND period_type = 'quarter'
        AND as_of = (SELECT max(as_of) FROM rep_period_kpis WHERE connection_id = 'dirty')
        AND period_start <= as_of AND period_end >= as_of`.execute(database.db);
    // Won this quarter: 100 (1 MB name) + 200 (odd Unicode) − 5000 (negative). The deal whose
    // IsWon says 'yes' is not known to be won (and 'twelve hundred' is no amount).
    expect(rows).toEqual([{ bookings: -4700, opps_won: 3 }]);
  });

  it('writes every rep’s KPIs back, Quinn’s included, and changes nothing on the next run', async () => {
    const compared = await writebackDifferences(database.db, dirty, 'dirty');
    // The clean org's reps with KPIs this quarter, plus Quinn.
    expect(compared.checked).toBe((await writebackDifferences(database.db, clean, 'clean')).checked + 1);
    expect(dirty.store.get(QUINN)).toMatchObject({ Attain_Bookings__c: -4700 });
    expect(compared.differences).toEqual([]);
    const issuesBefore = await database.db
      .selectFrom('record_issues')
      .select('code')
      .where('connection_id', '=', 'dirty')
      .execute();
    const again = await runPipeline(dirtyCtx);
    expect(again.result.sync.status).toBe('succeeded');
    expect(again.result.writeback!.counts).toMatchObject({ fieldsChanged: 0, writeCalls: 0 });
    const issuesAfter = await database.db
      .selectFrom('record_issues')
      .select('code')
      .where('connection_id', '=', 'dirty')
      .execute();
    expect(issuesAfter.length).toBe(issuesBefore.length);
  });
});
