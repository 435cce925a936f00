import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../connectors/hubspot/emulator/emulator.ts';
import type { PropertyValues } from '../../connectors/hubspot/emulator/store/hubspot-record.ts';
import { hubspotConnector } from '../../connectors/hubspot/index.ts';
import { runPipeline } from '../../src/pipeline.ts';
import type { StageContext } from '../../src/stage.ts';
import { FAST_PORTAL, hubspotConfig } from '../hubspot/support.ts';
import { testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { HUGE, ODD_UNICODE, ODD_UNICODE_STORED } from './bad-values.ts';

const QUINN = '19000001';
const DEAL = {
  allNull: '1900000001',
  wrongTypes: '1900000002',
  huge: '1900000003',
  unicode: '1900000004',
  future: '1900000005',
  ancient: '1900000006',
  malformed: '1900000007',
  negative: '1900000008',
  picklist: '1900000009',
};
const LEAD = { allNull: '1910000001', wrongTypes: '1910000002' };
const CALL = '1920000001';
const MEETING = '1930000001';
const LINE = '1940000001';
const GOAL = '1950000001';

/**
 * What HubSpot should never send, loaded into the portal as it is (the emulator's store, bypassing
 * its property checks): every property null, words in numbers and dates, numbers where text goes,
 * 1 MB of text, odd Unicode, the years 9999 and 1, 30 February, negative amounts, values no option
 * or stage has. Owned by Quinn, an owner of their own, so every other rep can be compared with a
 * clean copy of the same portal.
 */
function loadBadRecords(emulator: HubSpotEmulator): void {
  const store = emulator.store;
  const now = new Date().toISOString();
  store.setOwner({
    id: QUINN,
    email: 'quinn@acme.test',
    firstName: 'Quinn',
    lastName: ODD_UNICODE,
    type: 'PERSON',
    userId: 29_000_001,
    userIdIncludingInactive: 29_000_001,
    archived: false,
    createdAt: now,
    updatedAt: now,
    teams: [],
  });
  const load = (type: string, id: string, properties: Record<string, unknown>) =>
    store.load(store.resolveType(type)!.name, {
      id,
      properties: properties as PropertyValues,
      createdAt: now,
      updatedAt: now,
      archivedAt: null,
    });
  const won = { pipeline: 'default', dealstage: 'closedwon', hubspot_owner_id: QUINN, closedate: now };
  load('deals', DEAL.allNull, {});
  load('deals', DEAL.wrongTypes, {
    ...won,
    // Numbers where HubSpot sends strings are read as their text; words in a number are not.
    dealname: 12345,
    hubspot_owner_id: Number(QUINN),
    amount: 'twelve hundred',
  });
  load('deals', DEAL.huge, { ...won, dealname: HUGE, amount: '100' });
  load('deals', DEAL.unicode, { ...won, dealname: ODD_UNICODE, amount: '200' });
  load('deals', DEAL.future, {
    ...won,
    amount: '300',
    closedate: '9999-12-31T00:00:00.000Z',
    createdate: '9999-12-31T23:59:59.000Z',
  });
  load('deals', DEAL.ancient, {
    ...won,
    amount: '400',
    closedate: '0001-01-01T00:00:00.000Z',
    createdate: '0001-01-01T00:00:00.000Z',
  });
  load('deals', DEAL.malformed, {
    ...won,
    amount: '500',
    closedate: '2026-02-30T10:00:00.000Z',
    createdate: '2026-02-30T10:00:00.000Z',
  });
  load('deals', DEAL.negative, { ...won, amount: '-5000' });
  load('deals', DEAL.picklist, {
    ...won,
    dealstage: 'wishful-thinking',
    hs_forecast_category: 'MAYBE',
    amount: '700',
  });
  load('leads', LEAD.allNull, {});
  load('leads', LEAD.wrongTypes, { hubspot_owner_id: QUINN, hs_createdate: 'yesterday' });
  load('calls', CALL, {
    hubspot_owner_id: QUINN,
    hs_timestamp: 'not a time',
    hs_call_status: 'MAYBE',
    hs_call_direction: 'OUTBOUND',
  });
  load('meetings', MEETING, {
    hubspot_owner_id: QUINN,
    hs_meeting_start_time: '9999-12-31T23:59:59.000Z',
    hs_timestamp: '9999-12-31T23:59:59.000Z',
    hs_meeting_outcome: 'EXPLODED',
  });
  load('line_items', LINE, { price: 'free', quantity: '-3', amount: '-100' });
  store.associations.add(
    store.resolveType('line_items')!.name,
    LINE,
    store.resolveType('deals')!.name,
    DEAL.negative,
  );
  load('goal_targets', GOAL, {
    hs_assignee_user_id: 'nobody',
    hs_target_amount: 'lots',
    hs_start_datetime: '2026-02-30T00:00:00.000Z',
    hs_end_datetime: 'never',
  });
}

/**
 * The first list page of calls, served in place of the real one: every live call of the portal,
 * then two calls without an id.
 */
function serveCraftedCallsPage(emulator: HubSpotEmulator): void {
  const type = emulator.store.resolveType('calls')!.name;
  const truth = emulator.store.groundTruth(type)[type] as Array<{
    id: string;
    properties: Record<string, unknown>;
    createdAt: string;
    updatedAt: string;
    archived: boolean;
  }>;
  const now = new Date().toISOString();
  const results = [
    // The live ones, as the list of live calls has them.
    ...truth
      .filter((call) => !call.archived)
      .map(({ id, properties, createdAt, updatedAt }) => ({
        id,
        properties,
        createdAt,
        updatedAt,
        archived: false,
      })),
    { properties: { hubspot_owner_id: QUINN }, createdAt: now, updatedAt: now, archived: false },
    { id: '', properties: {}, createdAt: now, updatedAt: now, archived: false },
  ];
  emulator.store.faults.add({
    method: 'GET',
    pathRegex: '^/crm/v3/objects/calls\\?',
    status: 200,
    body: { results },
  });
}

describe('bad records from HubSpot', () => {
  let clean: HubSpotEmulator;
  let dirty: HubSpotEmulator;
  let database: TestDatabase;
  let cleanCtx: StageContext;
  let dirtyCtx: StageContext;

  beforeAll(async () => {
    const now = new Date().toISOString();
    [clean, dirty, database] = await Promise.all([
      startHubSpotEmulator({ seed: 31, scale: 2, now, ...FAST_PORTAL }),
      startHubSpotEmulator({ seed: 31, scale: 2, now, ...FAST_PORTAL }),
      createTestDatabase(),
    ]);
    loadBadRecords(dirty);
    serveCraftedCallsPage(dirty);
    cleanCtx = testStageContext(
      database.db,
      hubspotConfig(clean, { id: 'clean', writeback: { enabled: true } }),
    );
    dirtyCtx = testStageContext(
      database.db,
      hubspotConfig(dirty, { id: 'dirty', writeback: { enabled: true } }),
    );
    await hubspotConnector.setUp!(cleanCtx);
    await hubspotConnector.setUp!(dirtyCtx);
  });
  afterAll(async () => {
    await database?.drop();
    await Promise.all([clean?.stop(), dirty?.stop()]);
  });

  it('completes the run and reports each problem with its record id and property', async () => {
    const cleanRun = await runPipeline(cleanCtx);
    const run = await runPipeline(dirtyCtx);
    expect(dirty.store.faults.list()).toEqual([]);
    expect(run.status).toBe(cleanRun.status);
    expect(run.result.sync.result.objects.filter((outcome) => outcome.error)).toEqual([]);
    expect(run.result.writeback!.counts.recordsFailed).toBe(0);

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
        'sync calls (missing id)  REJECTED_RECORD',
        `sync deals ${DEAL.unicode} dealname TEXT_REPLACED`,
        `sync owners ${QUINN} lastName TEXT_REPLACED`,
        `normalize calls ${CALL} hs_call_status UNKNOWN_PICKLIST_VALUE`,
        `normalize calls ${CALL} hs_timestamp BAD_VALUE`,
        `normalize deals ${DEAL.allNull} dealstage UNKNOWN_PICKLIST_VALUE`,
        `normalize deals ${DEAL.wrongTypes} amount BAD_VALUE`,
        `normalize deals ${DEAL.malformed} closedate BAD_VALUE`,
        `normalize deals ${DEAL.malformed} createdate BAD_VALUE`,
        `normalize deals ${DEAL.picklist} dealstage UNKNOWN_PICKLIST_VALUE`,
        `normalize deals ${DEAL.picklist} hs_forecast_category UNKNOWN_PICKLIST_VALUE`,
        `normalize goal_targets ${GOAL} hs_assignee_user_id UNKNOWN_ASSIGNEE`,
        `normalize goal_targets ${GOAL} hs_end_datetime BAD_VALUE`,
        `normalize goal_targets ${GOAL} hs_start_datetime BAD_VALUE`,
        `normalize goal_targets ${GOAL} hs_target_amount BAD_VALUE`,
        `normalize leads ${LEAD.wrongTypes} hs_createdate BAD_VALUE`,
        `normalize line_items ${LINE} price BAD_VALUE`,
        `normalize meetings ${MEETING} hs_meeting_outcome UNKNOWN_PICKLIST_VALUE`,
      ].sort(),
    );
    const { message } = await database.db
      .selectFrom('record_issues')
      .select('message')
      .where('connection_id', '=', 'dirty')
      .where('crm_id', '=', DEAL.malformed)
      .where('field', '=', 'closedate')
      .executeTakeFirstOrThrow();
    expect(message).toBe('deals.closedate is not a valid timestamptz: 2026-02-30T10:00:00.000Z');
  });

  it('keeps every record that has an id, with what could not be read as NULL', async () => {
    const rows = await database.db
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
      .where('opportunity_id', 'in', Object.values(DEAL))
      .execute();
    const byId = new Map(rows.map((row) => [row.opportunity_id, row]));
    expect(byId.size).toBe(Object.keys(DEAL).length);
    expect(byId.get(DEAL.allNull)).toMatchObject({ owner_rep_id: 'unassigned', name: null, amount: null });
    expect(byId.get(DEAL.wrongTypes)).toMatchObject({ owner_rep_id: QUINN, name: '12345', amount: null });
    expect(byId.get(DEAL.huge)!.name).toHaveLength(HUGE.length);
    expect(byId.get(DEAL.unicode)!.name).toBe(ODD_UNICODE_STORED);
    // Close dates are the org's (New York) dates of HubSpot's instants.
    expect(byId.get(DEAL.future)).toMatchObject({
      close_date: '9999-12-30',
      created_at: new Date('9999-12-31T23:59:59Z'),
    });
    expect(byId.get(DEAL.ancient)!.created_at).toEqual(new Date('0001-01-01T00:00:00Z'));
    expect(byId.get(DEAL.malformed)).toMatchObject({ close_date: null, amount: 500 });
    expect(byId.get(DEAL.negative)).toMatchObject({ amount: -5000, is_won: true });
    expect(byId.get(DEAL.picklist)).toMatchObject({ stage: 'wishful-thinking', is_won: false });
    const count = async (table: 'leads' | 'activities' | 'line_items', column: string, ids: string[]) =>
      (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}
          WHERE connection_id = 'dirty' AND ${sql.ref(column)} = ANY(${ids}::text[])`.execute(database.db)
      ).rows[0]!.n;
    expect(await count('leads', 'lead_id', Object.values(LEAD))).toBe(2);
    expect(await count('activities', 'activity_id', [CALL, MEETING])).toBe(2);
    expect(await count('line_items', 'line_item_id', [LINE])).toBe(1);
  });

  it('computes every other rep’s KPIs exactly as without the bad records, and Quinn’s from what was readable', async () => {
    const reps = (clean.store.groundTruth().owners as Array<{ id: string }>).map((owner) => owner.id);
    expect(await repKpis(database, 'dirty', reps)).toEqual(await repKpis(database, 'clean', reps));
    // Won this quarter: 100 (1 MB name) + 200 (odd Unicode) − 5000 (negative); the deal whose
    // amount is 'twelve hundred' is won (its stage says so) without an amount.
    expect(await quarterOf(database, 'dirty', QUINN)).toEqual({ bookings: -4700, opps_won: 4 });
  });

  it('writes every rep’s scorecard, Quinn’s included, and changes nothing on the next run', async () => {
    const cleanCards = scorecards(clean);
    const dirtyCards = scorecards(dirty);
    expect(cleanCards.size).toBeGreaterThan(0);
    for (const [owner, card] of cleanCards) expect(dirtyCards.get(owner), owner).toEqual(card);
    expect(dirtyCards.get(QUINN)).toMatchObject({ attain_bookings: '-4700' });
    const issuesBefore = await countIssues(database, 'dirty');
    const again = await runPipeline(dirtyCtx);
    expect(again.result.sync.status).toBe('succeeded');
    expect(again.result.writeback!.counts).toMatchObject({ fieldsChanged: 0, writeCalls: 0 });
    expect(await countIssues(database, 'dirty')).toBe(issuesBefore);
  });
});

/** Each owner's scorecard: its attain_* properties, by owner. */
function scorecards(emulator: HubSpotEmulator): Map<string, Record<string, string | null>> {
  const type = emulator.store.resolveType('attain_rep_scorecard')!.name;
  const records = emulator.store.groundTruth(type)[type] as Array<{
    properties: Record<string, string | null>;
  }>;
  return new Map(
    records.map(({ properties }) => [
      String(properties.attain_owner_key),
      Object.fromEntries(Object.entries(properties).filter(([name]) => name.startsWith('attain_'))),
    ]),
  );
}

/** rep_period_kpis of one connection, scope 'rep', without what differs by connection. */
async function repKpis(database: TestDatabase, connectionId: string, reps: string[]) {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT * FROM rep_period_kpis WHERE connection_id = ${connectionId} AND scope = 'rep' AND rep_id = ANY(${reps}::text[])
    ORDER BY rep_id, period_type, period_start, as_of`.execute(database.db);
  return rows.map(({ connection_id: _c, run_id: _r, computed_at: _t, ...kpis }) => kpis);
}

/** A rep's bookings and won deals this quarter (latest as_of). */
async function quarterOf(database: TestDatabase, connectionId: string, rep: string) {
  const { rows } = await sql<{ bookings: number; opps_won: number }>`
    SELECT bookings, opps_won FROM rep_period_kpis
    WHERE connection_id = ${connectionId} AND scope = 'rep' AND rep_id = ${rep} AND period_type = 'quarter'
      AND as_of = (SELECT max(as_of) FROM rep_period_kpis WHERE connection_id = ${connectionId})
      AND period_start <= as_of AND period_end >= as_of`.execute(database.db);
  return rows[0];
}

async function countIssues(database: TestDatabase, connectionId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM record_issues WHERE connection_id = ${connectionId}`.execute(database.db);
  return rows[0]!.n;
}
