import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_OUTCOME_GUIDS } from '../../connectors/hubspot/builtins.ts';
import { parseConfig } from '../../src/config.ts';
import { storePage } from '../../src/extract/landing.ts';
import { normalizeConnection } from '../../src/normalize/normalize-stage.ts';
import type { StageContext } from '../../src/stage.ts';
import { testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const STAMP = '2026-02-01T12:00:00.000Z';

/**
 * Lands records the way extraction would (one page per object), bypassing the portal. CRM records
 * land without their id in the data; owners and pipelines keep it (a pipeline's crm id is
 * `deals:<id>`), as the connector lands them.
 */
async function land(ctx: StageContext, object: string, records: Array<Record<string, unknown>>) {
  const { id: runId } = await ctx.db
    .insertInto('runs')
    .values({ connection_id: ctx.connection.id, stage: 'sync', parent_run_id: null, as_of: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const keepsId = object === 'owners' || object === 'pipelines';
  await storePage(
    ctx.db,
    ctx.connection.id,
    object,
    {
      records: records.map(({ id, ...rest }) => ({
        crmId: object === 'pipelines' ? `${String(rest.objectType)}:${String(id)}` : String(id),
        modstamp: new Date(String(rest.updatedAt ?? STAMP)),
        isDeleted: false,
        data: { createdAt: STAMP, updatedAt: STAMP, archived: false, ...(keepsId ? { id } : {}), ...rest },
      })),
      rejected: [],
      checkpoint: { watermark: null, cursor: {}, backfillCompleted: false },
    },
    runId,
  );
}

const owner = (id: string, teams: Array<[string, boolean]>, extra: Record<string, unknown> = {}) => ({
  id,
  email: `${id}@acme.test`,
  firstName: 'Owner',
  lastName: id,
  type: 'PERSON',
  userId: Number(id) + 1000,
  userIdIncludingInactive: Number(id) + 1000,
  archived: false,
  teams: teams.map(([team, primary]) => ({ id: team, name: `Team ${team}`, primary })),
  ...extra,
});

describe('HubSpot normalize', () => {
  let database: TestDatabase;
  let ctx: StageContext;
  const rows = async <T>(query: string) => (await sql<T>`${sql.raw(query)}`.execute(database.db)).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = parseConfig(
      {
        org: { timezone: 'America/New_York' },
        connections: [
          {
            id: 'hs',
            provider: 'hubspot',
            hubspot: { accessToken: 'pat-test' },
            mapping: { quotaGoalNames: ['Revenue'] },
          },
        ],
      },
      'test',
      {},
    );
    ctx = testStageContext(database.db, config);
    await database.db
      .insertInto('crm_metadata')
      .values([
        {
          connection_id: 'hs',
          key: 'hubspot:properties:leads',
          value: JSON.stringify({
            available: true,
            properties: {
              lead_source: {
                type: 'enumeration',
                options: { PARTNER_REFERRAL: 'Partner Referral', WEB: 'Web' },
              },
            },
          }),
        },
        {
          connection_id: 'hs',
          key: 'hubspot:properties:calls',
          value: JSON.stringify({
            available: true,
            properties: {
              hs_call_disposition: {
                type: 'enumeration',
                options: { [CALL_OUTCOME_GUIDS.connected]: 'Connected' },
              },
            },
          }),
        },
      ])
      .execute();
    await land(ctx, 'owners', [
      owner('10', [['t1', true]]), // a rep on team t1
      owner('20', [
        ['t2', true],
        ['t1', false],
      ]), // leads t1, reports into t2
      owner('30', [['t2', false]]), // leads t2, no main team: the top
      owner('40', [['t1', true]], { archived: true, userId: null, userIdIncludingInactive: 1040 }), // departed
      { id: '50', firstName: 'Inbound', lastName: '', type: 'QUEUE', archived: false, teams: [] },
    ]);
    await land(ctx, 'pipelines', [
      {
        id: 'default',
        objectType: 'deals',
        stages: [
          { id: 'open', label: 'Discovery', metadata: { isClosed: 'false', probability: '0.4' } },
          { id: 'signed', label: 'Signed', metadata: { isClosed: 'true', probability: '1.0' } },
          // labelled "won", but the metadata says lost
          { id: 'fake-won', label: 'Closed Won', metadata: { isClosed: 'true', probability: '0.0' } },
        ],
      },
    ]);
    await land(ctx, 'deals', [
      {
        id: 'd1',
        hubspot_owner_id: '10',
        pipeline: 'default',
        dealstage: 'signed',
        amount: '100',
        deal_currency_code: 'EUR',
        amount_in_home_currency: '108.29',
        hs_exchange_rate: '1.0828886270704831',
        // 21:30 in New York on March 31
        closedate: '2026-04-01T01:30:00.000Z',
        createdate: '2026-01-10T15:00:00.000Z',
      },
      {
        id: 'd2',
        hubspot_owner_id: '10',
        pipeline: 'default',
        dealstage: 'fake-won',
        amount: 'lots',
        closedate: '2026-03-02T15:00:00.000Z',
      },
      {
        id: 'd3',
        hubspot_owner_id: '50',
        pipeline: 'default',
        dealstage: 'nowhere',
        amount: '5',
        closedate: '2026-03-02T15:00:00.000Z',
      },
      {
        id: 'd4',
        hubspot_owner_id: '10',
        pipeline: 'default',
        dealstage: 'open',
        amount: '7',
        hs_forecast_category: 'OMIT',
        closedate: '2026-05-02T15:00:00.000Z',
      },
    ]);
    await land(ctx, 'quotes', [
      {
        id: 'q1',
        hs_status: 'APPROVED',
        hs_esign_enabled: 'true',
        hs_esign_num_signers_required: '2',
        hs_esign_num_signers_completed: '2',
        associations: { deals: ['d4'] },
      },
      {
        id: 'q2',
        hs_status: 'APPROVAL_NOT_NEEDED',
        hs_manually_signed: 'true',
        associations: { deals: ['d4'] },
      },
      { id: 'q3', hs_status: 'APPROVAL_NOT_NEEDED', associations: { deals: ['d1'] } },
      { id: 'q4', hs_status: 'DRAFT', associations: { deals: ['d1'] } },
      {
        id: 'q5',
        hs_status: 'APPROVED',
        hs_esign_enabled: 'true',
        hs_esign_num_signers_required: '2',
        hs_esign_num_signers_completed: '1',
        associations: { deals: ['d4'] },
      },
    ]);
    await land(ctx, 'line_items', [
      {
        id: 'l1',
        price: '1000',
        quantity: '3',
        discount: '100',
        amount: '2700',
        associations: { deals: ['d1'] },
      },
      {
        id: 'l2',
        price: '50',
        quantity: '2',
        hs_discount_percentage: '10',
        associations: { quotes: ['q3'] },
      },
    ]);
    await land(ctx, 'calls', [
      {
        id: 'c1',
        hubspot_owner_id: '10',
        hs_timestamp: '2026-03-03T15:00:00.000Z',
        hs_call_status: 'COMPLETED',
        hs_call_direction: 'OUTBOUND',
        hs_call_disposition: CALL_OUTCOME_GUIDS.connected,
      },
      {
        id: 'c2',
        hubspot_owner_id: '10',
        hs_timestamp: '2026-03-03T16:00:00.000Z',
        hs_call_status: 'QUEUED',
        hs_call_direction: 'INBOUND',
      },
    ]);
    await land(ctx, 'emails', [
      {
        id: 'e1',
        hubspot_owner_id: '10',
        hs_timestamp: '2026-03-03T15:00:00.000Z',
        hs_email_direction: 'EMAIL',
        hs_email_status: 'SENT',
      },
      {
        id: 'e2',
        hubspot_owner_id: '10',
        hs_timestamp: '2026-03-03T15:10:00.000Z',
        hs_email_direction: 'INCOMING_EMAIL',
      },
    ]);
    await land(ctx, 'meetings', [
      {
        id: 'm1',
        hubspot_owner_id: '10',
        hs_meeting_start_time: '2026-03-04T15:00:00.000Z',
        hs_meeting_outcome: 'COMPLETED',
        hs_attendee_owner_ids: '20;40',
      },
      {
        id: 'm2',
        hubspot_owner_id: '10',
        hs_meeting_start_time: '2026-03-05T15:00:00.000Z',
        hs_meeting_outcome: 'NO_SHOW',
      },
    ]);
    await land(ctx, 'leads', [
      {
        id: 'ld1',
        hubspot_owner_id: '10',
        hs_pipeline: 'lead-pipeline-id',
        hs_pipeline_stage: 'qualified-stage-id',
        hs_v2_date_entered_current_stage: '2026-03-01T02:00:00.000Z',
        lead_source: 'PARTNER_REFERRAL',
      },
      {
        id: 'ld2',
        hubspot_owner_id: '50',
        hs_pipeline: 'lead-pipeline-id',
        hs_pipeline_stage: 'new-stage-id',
        lead_source: 'WEB',
      },
    ]);
    await land(ctx, 'goal_targets', [
      {
        id: 'g1',
        hs_goal_name: 'Revenue',
        hs_assignee_user_id: '1040',
        hs_target_amount: '50000',
        hs_start_datetime: '2026-01-01T05:00:00.000Z',
        hs_end_datetime: '2026-04-01T04:00:00.000Z',
      },
      {
        id: 'g2',
        hs_goal_name: 'Calls made',
        hs_assignee_user_id: '1010',
        hs_target_amount: '300',
        hs_start_datetime: '2026-01-01T05:00:00.000Z',
        hs_end_datetime: '2026-03-31T23:59:59.999-04:00',
      },
      {
        id: 'g3',
        hs_goal_name: 'Revenue',
        hs_assignee_user_id: '999999',
        hs_target_amount: '1',
        hs_start_datetime: '2026-01-01T05:00:00.000Z',
        hs_end_datetime: '2026-04-01T04:00:00.000Z',
      },
    ]);
    await normalizeConnection(ctx);
  });

  afterAll(async () => {
    await database.drop();
  });

  it('makes person owners reps, with managers from team leads; queues are no reps; departed owners are inactive', async () => {
    expect(
      await rows(
        `SELECT rep_id, manager_id, crm_user_id, is_active FROM reps WHERE connection_id = 'hs' ORDER BY rep_id`,
      ),
    ).toEqual([
      { rep_id: '10', manager_id: '20', crm_user_id: '1010', is_active: true },
      { rep_id: '20', manager_id: '30', crm_user_id: '1020', is_active: true },
      { rep_id: '30', manager_id: null, crm_user_id: '1030', is_active: true },
      { rep_id: '40', manager_id: '20', crm_user_id: '1040', is_active: false },
      { rep_id: 'unassigned', manager_id: null, crm_user_id: null, is_active: true },
    ]);
  });

  it('decides won and lost by stage metadata, takes close dates in the org time zone, keeps HubSpot’s home amounts', async () => {
    expect(
      await rows(`SELECT opportunity_id, owner_rep_id, stage, is_closed, is_won, amount, amount_home, home_rate, close_date, forecast_category
                  FROM opportunities WHERE connection_id = 'hs' ORDER BY opportunity_id`),
    ).toEqual([
      {
        opportunity_id: 'd1',
        owner_rep_id: '10',
        stage: 'Signed',
        is_closed: true,
        is_won: true,
        amount: 100,
        amount_home: 108.29,
        home_rate: Number('1.0828886270704831'),
        close_date: '2026-03-31',
        forecast_category: null,
      },
      {
        opportunity_id: 'd2',
        owner_rep_id: '10',
        stage: 'Closed Won',
        is_closed: true,
        is_won: false,
        amount: null,
        amount_home: null,
        home_rate: 1,
        close_date: '2026-03-02',
        forecast_category: null,
      },
      {
        opportunity_id: 'd3',
        owner_rep_id: 'unassigned',
        stage: 'nowhere',
        is_closed: false,
        is_won: false,
        amount: 5,
        amount_home: 5,
        home_rate: 1,
        close_date: '2026-03-02',
        forecast_category: null,
      },
      {
        opportunity_id: 'd4',
        owner_rep_id: '10',
        stage: 'Discovery',
        is_closed: false,
        is_won: false,
        amount: 7,
        amount_home: 7,
        home_rate: 1,
        close_date: '2026-05-02',
        forecast_category: 'omitted',
      },
    ]);
  });

  it('accepts published quotes when signed, manually signed or their deal is won; credits them to the deal owner', async () => {
    expect(
      await rows(
        `SELECT proposal_id, opportunity_id, owner_rep_id, is_submitted, is_accepted FROM proposals WHERE connection_id = 'hs' ORDER BY proposal_id`,
      ),
    ).toEqual([
      { proposal_id: 'q1', opportunity_id: 'd4', owner_rep_id: '10', is_submitted: true, is_accepted: true },
      { proposal_id: 'q2', opportunity_id: 'd4', owner_rep_id: '10', is_submitted: true, is_accepted: true },
      { proposal_id: 'q3', opportunity_id: 'd1', owner_rep_id: '10', is_submitted: true, is_accepted: true },
      {
        proposal_id: 'q4',
        opportunity_id: 'd1',
        owner_rep_id: '10',
        is_submitted: false,
        is_accepted: false,
      },
      { proposal_id: 'q5', opportunity_id: 'd4', owner_rep_id: '10', is_submitted: true, is_accepted: false },
    ]);
  });

  it('keeps a quote’s line items on the quote and prices lines as list × quantity less the discount', async () => {
    expect(
      await rows(
        `SELECT line_item_id, opportunity_id, proposal_id, list_price, unit_price, total_price FROM line_items WHERE connection_id = 'hs' ORDER BY 1`,
      ),
    ).toEqual([
      {
        line_item_id: 'l1',
        opportunity_id: 'd1',
        proposal_id: null,
        list_price: 1000,
        unit_price: 900,
        total_price: 2700,
      },
      {
        line_item_id: 'l2',
        opportunity_id: null,
        proposal_id: 'q3',
        list_price: 50,
        unit_price: 45,
        total_price: 90,
      },
    ]);
  });

  it('counts what reps sent, copies meetings to their invitees, and retires a copy when the invitee is removed', async () => {
    const activities = () =>
      rows(`SELECT activity_id, kind, owner_rep_id, is_completed, direction, outcome, is_connected, is_canceled, is_child, is_deleted
            FROM activities WHERE connection_id = 'hs' ORDER BY activity_id`);
    expect(await activities()).toEqual([
      {
        activity_id: 'c1',
        kind: 'call',
        owner_rep_id: '10',
        is_completed: true,
        direction: 'outbound',
        outcome: 'Connected',
        is_connected: true,
        is_canceled: false,
        is_child: false,
        is_deleted: false,
      },
      {
        activity_id: 'c2',
        kind: 'call',
        owner_rep_id: '10',
        is_completed: false,
        direction: 'inbound',
        outcome: null,
        is_connected: false,
        is_canceled: false,
        is_child: false,
        is_deleted: false,
      },
      {
        activity_id: 'e1',
        kind: 'email',
        owner_rep_id: '10',
        is_completed: true,
        direction: 'outbound',
        outcome: null,
        is_connected: false,
        is_canceled: false,
        is_child: false,
        is_deleted: false,
      },
      {
        activity_id: 'm1',
        kind: 'meeting',
        owner_rep_id: '10',
        is_completed: true,
        direction: null,
        outcome: 'COMPLETED',
        is_connected: false,
        is_canceled: false,
        is_child: false,
        is_deleted: false,
      },
      {
        activity_id: 'm1:20',
        kind: 'meeting',
        owner_rep_id: '20',
        is_completed: true,
        direction: null,
        outcome: 'COMPLETED',
        is_connected: false,
        is_canceled: false,
        is_child: true,
        is_deleted: false,
      },
      {
        activity_id: 'm1:40',
        kind: 'meeting',
        owner_rep_id: '40',
        is_completed: true,
        direction: null,
        outcome: 'COMPLETED',
        is_connected: false,
        is_canceled: false,
        is_child: true,
        is_deleted: false,
      },
      {
        activity_id: 'm2',
        kind: 'meeting',
        owner_rep_id: '10',
        is_completed: false,
        direction: null,
        outcome: 'NO_SHOW',
        is_connected: false,
        is_canceled: true,
        is_child: false,
        is_deleted: false,
      },
    ]);
    await land(ctx, 'meetings', [
      {
        id: 'm1',
        hubspot_owner_id: '10',
        hs_meeting_start_time: '2026-03-04T15:00:00.000Z',
        hs_meeting_outcome: 'COMPLETED',
        hs_attendee_owner_ids: '20',
        updatedAt: '2026-02-02T00:00:00.000Z',
      },
    ]);
    await land(ctx, 'emails', [
      {
        id: 'e1',
        hubspot_owner_id: '10',
        hs_timestamp: '2026-03-03T15:00:00.000Z',
        hs_email_direction: 'FORWARDED_EMAIL',
        updatedAt: '2026-02-02T00:00:00.000Z',
      },
    ]);
    await normalizeConnection(ctx);
    const after = (await activities()) as Array<{ activity_id: string; is_deleted: boolean }>;
    expect(after.filter((row) => row.is_deleted).map((row) => row.activity_id)).toEqual(['e1', 'm1:40']);
    const dirty = await rows(
      `SELECT rep_id, month_start::text FROM kpi_dirty WHERE connection_id = 'hs' AND rep_id = '40'`,
    );
    // the retired attendee copy's meeting day, 2026-03-04, as its month
    expect(dirty).toContainEqual({ rep_id: '40', month_start: '2026-03-01' });
  });

  it('converts leads on the local day they reached a converted stage, with source labels; queue leads are unassigned', async () => {
    expect(
      await rows(
        `SELECT lead_id, owner_rep_id, is_converted, converted_on, source, status FROM leads WHERE connection_id = 'hs' ORDER BY 1`,
      ),
    ).toEqual([
      {
        lead_id: 'ld1',
        owner_rep_id: '10',
        is_converted: true,
        converted_on: '2026-02-28',
        source: 'Partner Referral',
        status: 'qualified-stage-id',
      },
      {
        lead_id: 'ld2',
        owner_rep_id: 'unassigned',
        is_converted: false,
        converted_on: null,
        source: 'Web',
        status: 'new-stage-id',
      },
    ]);
  });

  it('makes revenue goal targets quotas of the owner with that user id (departed ones too), in local dates', async () => {
    expect(
      await rows(
        `SELECT quota_id, rep_id, period_start, period_end, amount, is_deleted FROM quotas WHERE connection_id = 'hs' ORDER BY 1`,
      ),
    ).toEqual([
      {
        quota_id: 'g1',
        rep_id: '40',
        period_start: '2026-01-01',
        period_end: '2026-03-31',
        amount: 50000,
        is_deleted: false,
      },
      {
        quota_id: 'g2',
        rep_id: '10',
        period_start: '2026-01-01',
        period_end: '2026-03-31',
        amount: 300,
        is_deleted: true,
      },
    ]);
  });

  it('reports values it could not read and records it could not place', async () => {
    expect(
      await rows(
        `SELECT object, crm_id, field, code FROM record_issues WHERE connection_id = 'hs' ORDER BY object, crm_id, code`,
      ),
    ).toEqual([
      { object: 'deals', crm_id: 'd2', field: 'amount', code: 'BAD_VALUE' },
      { object: 'deals', crm_id: 'd3', field: 'dealstage', code: 'UNKNOWN_PICKLIST_VALUE' },
      { object: 'goal_targets', crm_id: 'g3', field: 'hs_assignee_user_id', code: 'UNKNOWN_ASSIGNEE' },
    ]);
  });
});
