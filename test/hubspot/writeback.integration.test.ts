import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../connectors/hubspot/emulator/emulator.ts';
import { hubspotConnector } from '../../connectors/hubspot/index.ts';
import { ConfigError } from '../../src/errors/config-error.ts';
import { runPipeline } from '../../src/pipeline.ts';
import type { StageContext } from '../../src/stage.ts';
import { writeback } from '../../src/writeback/writeback-stage.ts';
import { testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { FAST_PORTAL, hubspotConfig } from './support.ts';

const AS_OF = '2026-11-20';
const REPS = 250;
const SCORECARD = 'attain_rep_scorecard';

type Truth = Array<{ id: string; properties: Record<string, string | null>; archived: boolean }>;

const upserts = (emulator: HubSpotEmulator) =>
  emulator.store.requestLog
    .entries()
    .filter((entry) => entry.method === 'POST' && entry.path.endsWith('/batch/upsert'));

describe('scorecard writeback on a portal with custom objects', () => {
  let emulator: HubSpotEmulator;
  let database: TestDatabase;
  let ctx: StageContext;
  const ownerIds = Array.from({ length: REPS }, (_, i) => String(5000 + i));

  /** Gives every rep (or `only` these) a current-quarter KPI row at AS_OF (values vary with `salt`). */
  async function setKpis(salt: number, only: string[] = ownerIds) {
    await sql`
      INSERT INTO rep_period_kpis (connection_id, scope, rep_id, period_type, period_start, period_end, as_of, period_label,
                                   bookings, quota, attainment, expected_to_date, pace_status, win_rate, avg_cycle_days)
      SELECT 'hs', 'rep', id, 'quarter', DATE '2026-10-01', DATE '2026-12-31', ${AS_OF}, 'FY2026 Q4',
             1000 * (ord + ${salt}), 100000, (1000 * (ord + ${salt})) / 100000.0, 0.55, 'behind', 0.25, 41.37
      FROM unnest(${only}::text[]) WITH ORDINALITY AS u(id, ord)
      ON CONFLICT (connection_id, scope, rep_id, period_type, period_start, as_of)
      DO UPDATE SET bookings = excluded.bookings, attainment = excluded.attainment`.execute(database.db);
  }

  /** The record keys the logged upserts carried, sorted. */
  const sentIds = () =>
    upserts(emulator)
      .flatMap((call) =>
        (JSON.parse(call.body) as { inputs: Array<{ id: string }> }).inputs.map((input) => input.id),
      )
      .sort();

  const scorecards = () => {
    const type = emulator.store.resolveType(SCORECARD)!.name;
    return emulator.store.groundTruth(type)[type] as Truth;
  };

  beforeAll(async () => {
    emulator = await startHubSpotEmulator({
      data: {
        owners: ownerIds.map((id, i) => ({
          id,
          email: `rep${i}@acme.test`,
          firstName: 'Rep',
          lastName: `No ${i}`,
          userId: 90_000 + i,
        })),
      },
      ...FAST_PORTAL,
    });
    database = await createTestDatabase();
    ctx = testStageContext(
      database.db,
      hubspotConfig(emulator, { writeback: { enabled: true, retryDelayMs: 10 } }),
    );
    await database.db
      .insertInto('reps')
      .values(
        ownerIds.map((id) => ({
          connection_id: 'hs',
          rep_id: id,
          name: id,
          email: null,
          title: null,
          manager_id: null,
          crm_user_id: id,
        })),
      )
      .execute();
    await database.db
      .insertInto('kpi_state')
      .values({ connection_id: 'hs', as_of: AS_OF, settings_hash: 'test' })
      .execute();
    await setKpis(0);
  });

  afterAll(async () => {
    await database.drop();
    await emulator.stop();
  });

  it('has writeback refuse to send anything before the scorecard exists, naming the fix', async () => {
    const error = (await writeback(ctx).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues[0]!.message).toContain(`field ${SCORECARD}.attain_quota_attainment does not exist`);
    expect(upserts(emulator)).toEqual([]);
  });

  it('doctor --fix creates the schema, property group and properties; run again, it only reads', async () => {
    const checks = await hubspotConnector.setUp!(ctx);
    expect(checks.map((check) => [check.status, check.detail])).toEqual([
      ['ok', expect.stringMatching(new RegExp(`^p4242_${SCORECARD} \\(2-1\\) created$`))],
      [
        'ok',
        expect.stringContaining(
          'group attain created on p4242_attain_rep_scorecard; created attain_quota_attainment, attain_bookings',
        ),
      ],
    ]);
    const pace = emulator.store.properties.get(`p4242_${SCORECARD}`, 'attain_pace_status')!;
    expect(pace.options.map((option) => option.value)).toEqual(['ahead', 'on_track', 'behind', 'at_risk']);
    expect(emulator.store.properties.get(`p4242_${SCORECARD}`, 'attain_owner_key')!.hasUniqueValue).toBe(
      true,
    );

    emulator.store.usage.reset();
    const again = await hubspotConnector.setUp!(ctx);
    expect(again.map((check) => check.detail)).toEqual([
      `p4242_${SCORECARD} (2-1) exists`,
      'group attain exists on p4242_attain_rep_scorecard; all 9 properties exist',
    ]);
    const calls = emulator.store.usageSnapshot().byEndpoint;
    expect(Object.keys(calls).filter((endpoint) => endpoint.endsWith('.create'))).toEqual([]);
  });

  it(`writes ${REPS} changed owners in ⌈${REPS}/100⌉ upserts, one scorecard each; the next run makes no call`, async () => {
    emulator.store.requestLog.reset();
    const run = await writeback(ctx);
    expect(run.status).toBe('succeeded');
    const bodies = upserts(emulator).map(
      (call) =>
        JSON.parse(call.body) as {
          inputs: Array<{ idProperty: string; id: string; properties: Record<string, string> }>;
        },
    );
    expect(bodies.map((body) => body.inputs.length)).toEqual([100, 100, 50]);
    expect(run.counts).toMatchObject({ recordsSucceeded: REPS, recordsFailed: 0, writeCalls: 3 });
    const cards = scorecards();
    expect(cards.length).toBe(REPS);
    const first = cards.find((card) => card.properties.attain_owner_key === ownerIds[0])!;
    expect(first.properties).toMatchObject({
      hubspot_owner_id: ownerIds[0],
      attain_bookings: '1000',
      attain_quota: '100000',
      attain_quota_attainment: '1',
      attain_win_rate: '25',
      attain_pace_status: 'behind',
      attain_avg_cycle_days: '41.37',
      attain_kpis_as_of: AS_OF,
    });

    emulator.store.usage.reset();
    const second = await writeback(ctx);
    expect(second.counts).toMatchObject({ fieldsChanged: 0, writeCalls: 0 });
    expect(emulator.store.usageSnapshot().total).toBe(0);
  });

  it('records 207 partial failures per row; the next run sends only those', async () => {
    await setKpis(1);
    const [merging, invalid] = [ownerIds[7]!, ownerIds[180]!];
    emulator.store.recordFaults.add({ id: merging, category: 'CONFLICT', message: 'record is being merged' });
    emulator.store.recordFaults.add({
      id: invalid,
      category: 'VALIDATION_ERROR',
      message: 'Bookings must be approved',
    });
    emulator.store.requestLog.reset();
    const run = await writeback(ctx);
    expect(run.status).toBe('partial');
    expect(run.counts).toMatchObject({ writeCalls: 3, recordsSucceeded: REPS - 2, recordsFailed: 2 });
    const failed = await database.db
      .selectFrom('writeback_results')
      .select(['record_id', 'field', 'error_code', 'message'])
      .where('run_id', '=', run.runId)
      .where('status', '=', 'failed')
      .orderBy('record_id')
      .orderBy('field')
      .execute();
    expect(failed).toEqual(
      [merging, invalid].flatMap((id) =>
        ['attain_bookings', 'attain_quota_attainment'].map((field) => ({
          record_id: id,
          field,
          error_code: id === merging ? 'CONFLICT' : 'VALIDATION_ERROR',
          message: id === merging ? 'record is being merged' : 'Bookings must be approved',
        })),
      ),
    );

    emulator.store.requestLog.reset();
    const next = await writeback(ctx);
    expect(next.status).toBe('succeeded');
    expect(sentIds()).toEqual([merging, invalid]);
    emulator.store.requestLog.reset();
    await writeback(ctx);
    expect(upserts(emulator)).toEqual([]);
  });

  it('fails every row of a batch HubSpot rejects whole (400), and retries them all next run', async () => {
    const changed = ownerIds.slice(40, 70);
    await setKpis(2, changed);
    emulator.store.faults.add({
      method: 'POST',
      pathRegex: '/batch/upsert$',
      status: 400,
      body: { status: 'error', category: 'VALIDATION_ERROR', message: 'Property values were not valid' },
    });
    const run = await writeback(ctx);
    expect(run.counts).toMatchObject({ writeCalls: 1, recordsSucceeded: 0, recordsFailed: 30 });
    const codes = await database.db
      .selectFrom('writeback_results')
      .select(['error_code', 'message'])
      .distinct()
      .where('run_id', '=', run.runId)
      .execute();
    expect(codes).toEqual([{ error_code: 'VALIDATION_ERROR', message: 'Property values were not valid' }]);
    emulator.store.requestLog.reset();
    const next = await writeback(ctx);
    expect(next.counts).toMatchObject({ writeCalls: 1, recordsSucceeded: 30 });
    expect(sentIds()).toEqual([...changed].sort());
  });
});

describe('deal-property writeback on a portal without custom objects', () => {
  let emulator: HubSpotEmulator;
  let database: TestDatabase;
  let ctx: StageContext;

  beforeAll(async () => {
    emulator = await startHubSpotEmulator({
      seed: 8,
      scale: 4,
      now: '2026-03-15T15:20:00Z',
      features: { customObjects: false },
      ...FAST_PORTAL,
    });
    database = await createTestDatabase();
    ctx = testStageContext(database.db, hubspotConfig(emulator, { writeback: { enabled: true } }));
  });

  afterAll(async () => {
    await database.drop();
    await emulator.stop();
  });

  it('sets up deal properties, writes them on each active rep’s open deals, and makes no write the next run', async () => {
    const checks = await hubspotConnector.setUp!(ctx);
    expect(checks.map((check) => check.detail)).toEqual([
      expect.stringContaining('group attain created on deals; created attain_quota_attainment'),
    ]);
    const first = await runPipeline(ctx, { asOf: '2026-03-15' });
    expect(first.status).toBe('succeeded');
    const { rows: open } = await sql<{
      owner_rep_id: string;
      opportunity_id: string;
      attainment: number | null;
    }>`
      SELECT o.owner_rep_id, o.opportunity_id, k.attainment FROM opportunities o
      JOIN reps r ON r.connection_id = o.connection_id AND r.rep_id = o.owner_rep_id AND r.is_active
      JOIN rep_period_kpis k ON k.connection_id = o.connection_id AND k.rep_id = o.owner_rep_id AND k.scope = 'rep'
        AND k.period_type = 'quarter' AND k.as_of = '2026-03-15' AND k.period_start <= '2026-03-15' AND k.period_end >= '2026-03-15'
      WHERE o.connection_id = 'hs' AND NOT o.is_closed AND NOT o.is_deleted`.execute(database.db);
    expect(open.length).toBeGreaterThan(5);
    const deals = new Map(
      (emulator.store.groundTruth('deals').deals as Truth).map((deal) => [deal.id, deal]),
    );
    for (const row of open) {
      const expected = row.attainment === null ? null : String(Math.round(row.attainment * 10_000) / 100);
      expect(deals.get(row.opportunity_id)!.properties.attain_quota_attainment, row.opportunity_id).toBe(
        expected ?? null,
      );
    }
    expect(first.result.writeback!.counts.writeCalls).toBe(Math.ceil(open.length / 100));

    // The writes bumped the deals' hs_lastmodifieddate: they come back, change nothing, cause no write.
    emulator.store.clock.advance(10_000);
    emulator.store.requestLog.reset();
    const second = await runPipeline(ctx, { asOf: '2026-03-15' });
    expect(second.result.sync.result.objects.find((o) => o.object === 'deals')!.records).toBeGreaterThan(0);
    expect(second.result.writeback!.counts).toMatchObject({ fieldsChanged: 0, writeCalls: 0 });
    expect(
      emulator.store.requestLog.entries().filter((entry) => entry.path.endsWith('/batch/update')),
    ).toEqual([]);
  });
});
