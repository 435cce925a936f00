import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_CATALOG } from '../../connectors/hubspot/catalog.ts';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../connectors/hubspot/emulator/emulator.ts';
import { normalizeConnection } from '../../src/normalize/normalize-stage.ts';
import { syncConnection } from '../../src/extract/sync-stage.ts';
import type { StageContext } from '../../src/stage.ts';
import { testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { differencesFromGroundTruth, FAST_PORTAL, hubspotConfig } from './support.ts';

const NOW = '2026-03-15T15:20:00Z';
const LIST_PAGE = 100;
const SEARCH_PAGE = 200;

type TruthRecord = { id: string; archived: boolean; properties: Record<string, string | null> };

describe('HubSpot extraction', () => {
  let emulator: HubSpotEmulator;
  let database: TestDatabase;
  let ctx: StageContext;

  const truth = (object: string) => emulator.store.groundTruth(object)[object] as TruthRecord[];
  const live = (object: string) => truth(object).filter((record) => !record.archived);
  /** Lets time pass on the portal, so the next window ends after the latest change (Date has 1 s resolution). */
  const later = () => emulator.store.clock.advance(10_000);
  /** Calls per endpoint made while `run` ran. */
  async function callsDuring(run: () => Promise<unknown>): Promise<Record<string, number>> {
    emulator.store.usage.reset();
    await run();
    return emulator.store.usageSnapshot().byEndpoint;
  }

  beforeAll(async () => {
    emulator = await startHubSpotEmulator({ seed: 5, scale: 2, now: NOW, ...FAST_PORTAL });
    database = await createTestDatabase();
    ctx = testStageContext(
      database.db,
      hubspotConfig(emulator, { sync: { listPageSize: LIST_PAGE, searchPageSize: SEARCH_PAGE } }),
    );
  });

  afterAll(async () => {
    await database.drop();
    await emulator.stop();
  });

  it('backfills every object equal to the portal, through list pages only', async () => {
    let apiCalls = 0;
    const calls = await callsDuring(async () => {
      const run = await syncConnection(ctx);
      expect(run.status).toBe('succeeded');
      apiCalls = run.apiCalls;
    });
    expect(await differencesFromGroundTruth(database.db, emulator, 'hs')).toEqual([]);
    // Per object: its property definitions, then one list page per 100 live records (with
    // associations embedded); owners active and archived, deal and lead pipelines.
    const listPages = CRM_CATALOG.reduce(
      (sum, entry) => sum + Math.max(1, Math.ceil(live(entry.name).length / LIST_PAGE)),
      0,
    );
    expect(calls).toEqual({
      'properties.list': CRM_CATALOG.length,
      'owners.list': 2,
      'pipelines.list': 2,
      'objects.list': listPages,
    });
    expect(apiCalls).toBe(CRM_CATALOG.length + 4 + listPages);
    const owners = await database.db
      .selectFrom('crm_records')
      .select('data')
      .where('object', '=', 'owners')
      .execute();
    expect(owners.length).toBe(emulator.store.owners.size);
  });

  it('finds nothing new with one search per object (and the archived lists), and writes nothing', async () => {
    let written = -1;
    const calls = await callsDuring(async () => {
      const run = await syncConnection(ctx);
      written = run.counts.written ?? -1;
    });
    expect(written).toBe(0);
    const archivedPages = CRM_CATALOG.reduce(
      (sum, entry) => sum + Math.max(1, Math.ceil(truth(entry.name).filter((r) => r.archived).length / 100)),
      0,
    );
    expect(calls).toEqual({
      'owners.list': 2,
      'pipelines.list': 2,
      'objects.search': CRM_CATALOG.length,
      'objects.list': archivedPages,
    });
  });

  it('converges after creates, updates, archives and restores, with line-item associations read through v4', async () => {
    const deal = live('deals').find((record) => record.properties.hs_is_closed === 'false')!;
    const [archived, restored] = live('deals')
      .filter((record) => record.id !== deal.id)
      .slice(0, 2);
    emulator.store.mutate([{ op: 'archive', object: 'deals', id: restored!.id }]);
    later();
    await syncConnection(ctx);
    const created = emulator.store.mutate([
      {
        op: 'update',
        object: 'deals',
        id: deal.id,
        properties: { dealstage: 'closedwon', amount: '123456.78' },
      },
      { op: 'archive', object: 'deals', id: archived!.id },
      { op: 'restore', object: 'deals', id: restored!.id },
      {
        op: 'create',
        object: 'line_items',
        properties: { name: 'Extra seats', price: '1000', quantity: '3', discount: '100' },
        associations: { deals: [deal.id] },
      },
      { op: 'create', object: 'calls', properties: { hs_timestamp: NOW, hs_call_status: 'COMPLETED' } },
    ]);
    later();
    const calls = await callsDuring(async () => {
      expect((await syncConnection(ctx)).status).toBe('succeeded');
    });
    expect(await differencesFromGroundTruth(database.db, emulator, 'hs')).toEqual([]);
    // one search per object; the changed line items read their deal and quote associations
    expect(calls['objects.search']).toBe(CRM_CATALOG.length);
    expect(calls['associations.batch.read']).toBe(2);
    await normalizeConnection(ctx);
    const opportunities = await sql<{
      opportunity_id: string;
      is_won: boolean;
      is_deleted: boolean;
      amount: number;
    }>`
      SELECT opportunity_id, is_won, is_deleted, amount FROM opportunities
      WHERE connection_id = 'hs' AND opportunity_id IN (${deal.id}, ${archived!.id}, ${restored!.id})
      ORDER BY opportunity_id`.execute(database.db);
    expect(Object.fromEntries(opportunities.rows.map((row) => [row.opportunity_id, row]))).toMatchObject({
      [deal.id]: { is_won: true, is_deleted: false, amount: 123456.78 },
      [archived!.id]: { is_deleted: true },
      [restored!.id]: { is_deleted: false },
    });
    const line = await sql<{ opportunity_id: string; list_price: number; total_price: number }>`
      SELECT opportunity_id, list_price, total_price FROM line_items WHERE connection_id = 'hs' AND line_item_id = ${created[3]!.id}`.execute(
      database.db,
    );
    expect(line.rows).toEqual([{ opportunity_id: deal.id, list_price: 1000, total_price: 2700 }]);
  });

  it('walks more than 10,000 records that share one hs_lastmodifieddate, past the search cap', async () => {
    const stamp = emulator.store.clock.now().toISOString();
    const bulk = 10_050;
    emulator.store.mutate(
      Array.from({ length: bulk }, (_, i) => ({
        op: 'create' as const,
        object: 'calls',
        properties: { hs_timestamp: stamp, hs_call_status: 'COMPLETED', hs_call_title: `Bulk ${i}` },
        at: stamp,
      })),
    );
    later();
    const calls = await callsDuring(async () => {
      expect((await syncConnection(ctx, { objects: ['calls'] })).status).toBe('succeeded');
    });
    expect(await differencesFromGroundTruth(database.db, emulator, 'hs')).toEqual([]);
    // 50 pages up to the cap; a new search from that stamp, 50 pages to the cap again; the same
    // stamp walked by id (50 pages, then 1 after the last id re-anchor); 1 just past the stamp.
    expect(calls['objects.search']).toBe(50 + 50 + 51 + 1);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM crm_records WHERE connection_id = 'hs' AND object = 'calls' AND modstamp = ${stamp}`.execute(
      database.db,
    );
    expect(rows[0]!.n).toBe(bulk);
  });
});
