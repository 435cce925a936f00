import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../connectors/hubspot/emulator/emulator.ts';
import { CrmAuthError } from '../../src/errors/crm-auth-error.ts';
import { syncConnection } from '../../src/extract/sync-stage.ts';
import { loadSyncState } from '../../src/extract/landing.ts';
import type { StageContext } from '../../src/stage.ts';
import { testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { differencesFromGroundTruth, FAST_PORTAL, hubspotConfig } from './support.ts';

const NOW = '2026-03-15T15:20:00Z';
const TEN_SECONDLY = {
  status: 'error',
  message: 'You have reached your ten_secondly_rolling limit.',
  errorType: 'RATE_LIMIT',
  correlationId: 'c0ffee00-0000-4000-8000-000000000001',
  policyName: 'TEN_SECONDLY_ROLLING',
  groupName: 'publicapi:private_app-api-calls-ten-secondly:1:4242',
};

describe('HubSpot rate limits, budget and failures', () => {
  let emulator: HubSpotEmulator;
  let database: TestDatabase;
  const contexts = new Map<string, StageContext>();
  /** A connection of its own (own sync state) to the shared portal. */
  const connection = (id: string, sync: Record<string, unknown> = {}, token?: string) => {
    const config = hubspotConfig(emulator, { id, sync });
    if (token) (config.connections[0] as { hubspot: { accessToken: string } }).hubspot.accessToken = token;
    const ctx = testStageContext(database.db, config);
    contexts.set(id, ctx);
    return ctx;
  };

  beforeAll(async () => {
    emulator = await startHubSpotEmulator({ seed: 6, scale: 1, now: NOW, ...FAST_PORTAL });
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
    await emulator.stop();
  });

  it('rides out a TEN_SECONDLY_ROLLING storm by waiting Retry-After, and a 502 by retrying', async () => {
    const ctx = connection('storm');
    emulator.store.faults.add({
      method: 'GET',
      pathRegex: '^/crm/v3/objects/calls\\?',
      times: 2,
      status: 429,
      body: TEN_SECONDLY,
      headers: { 'Retry-After': '1' },
    });
    emulator.store.faults.add({ method: 'GET', pathRegex: '^/crm/v3/objects/emails\\?', status: 502 });
    emulator.store.usage.reset();
    const started = Date.now();
    const run = await syncConnection(ctx);
    expect(run.status).toBe('succeeded');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(await differencesFromGroundTruth(database.db, emulator, 'storm')).toEqual([]);
    // every attempt is a call: the three faults plus the requests that then succeeded
    const usage = emulator.store.usageSnapshot();
    expect(usage.byEndpoint.fault).toBe(3);
    expect(run.apiCalls).toBe(usage.total);
  });

  it('stops at a DAILY 429 with its state saved, and goes on from there once quota is back', async () => {
    const ctx = connection('daily');
    // another app on the portal used up the day: quotes are refused mid-run
    emulator.store.faults.add({
      method: 'GET',
      pathRegex: '^/crm/v3/objects/quotes\\?',
      status: 429,
      body: {
        ...TEN_SECONDLY,
        message: 'You have reached your daily limit.',
        policyName: 'DAILY',
        groupName: undefined,
      },
      headers: { 'Retry-After': '3600' },
    });
    const first = await syncConnection(ctx);
    expect(first.status).toBe('budget_stopped');
    expect(first.result.stoppedBy).toBe('budget');
    // the objects before quotes are complete and stay so; quotes stopped before its first page (an
    // object extracted alongside stopped at its next page boundary, its state matching its pages)
    const outcomes = Object.fromEntries(
      first.result.objects.map((outcome) => [outcome.object, outcome.pages]),
    );
    expect(outcomes).toMatchObject({
      owners: 1,
      pipelines: 1,
      deals: 1,
      line_items: expect.any(Number),
      quotes: 0,
    });
    expect((await loadSyncState(database.db, 'daily', 'deals')).watermark).not.toBeNull();
    expect((await loadSyncState(database.db, 'daily', 'quotes')).watermark).toBeNull();

    // line items ran alongside quotes: whether their backfill finished before the stop is timing
    const lineItemsDone =
      (await loadSyncState(database.db, 'daily', 'line_items')).backfillCompletedAt !== null;

    const second = await syncConnection(ctx);
    expect(second.status).toBe('succeeded');
    expect(await differencesFromGroundTruth(database.db, emulator, 'daily')).toEqual([]);
    const modes = Object.fromEntries(second.result.objects.map((outcome) => [outcome.object, outcome.mode]));
    expect(modes).toMatchObject({
      deals: 'incremental',
      line_items: lineItemsDone ? 'incremental' : 'backfill',
      quotes: 'backfill',
    });
  });

  it('stops cleanly once the portal has used the configured share of its daily limit', async () => {
    const ctx = connection('share', { maxDailyApiShare: 0.5 });
    const { used } = emulator.store.usageSnapshot().daily;
    emulator.store.settings.dailyApiLimit = Math.ceil((used + 12) / 0.5);
    const run = await syncConnection(ctx);
    expect(run.status).toBe('budget_stopped');
    expect(run.report.apiUsage).toMatchObject({ limit: emulator.store.settings.dailyApiLimit });
    expect(emulator.store.usageSnapshot().byEndpoint.rate_limited ?? 0).toBe(0);
    emulator.store.settings.dailyApiLimit = 1_000_000;
  });

  it('fails with CrmAuthError on a token the portal does not know, without retrying', async () => {
    const ctx = connection('bad-token', {}, 'pat-na1-wrong');
    emulator.store.requestLog.reset();
    await expect(syncConnection(ctx)).rejects.toBeInstanceOf(CrmAuthError);
    expect(emulator.store.requestLog.entries().length).toBe(1);
  });

  it('skips objects the app may not read, saying why', async () => {
    emulator.store.features.leads = false;
    try {
      const run = await syncConnection(connection('no-leads'));
      expect(run.status).toBe('succeeded');
      expect(run.result.skipped).toEqual([
        {
          object: 'leads',
          reason: expect.stringContaining("This app hasn't been granted all required scopes"),
        },
      ]);
    } finally {
      emulator.store.features.leads = true;
    }
  });
});

describe('HubSpot search indexing lag', () => {
  let emulator: HubSpotEmulator;
  let database: TestDatabase;
  let ctx: StageContext;

  beforeAll(async () => {
    emulator = await startHubSpotEmulator({
      seed: 7,
      scale: 1,
      now: NOW,
      searchVisibilityDelayMs: 60_000,
      ...FAST_PORTAL,
    });
    database = await createTestDatabase();
    ctx = testStageContext(
      database.db,
      hubspotConfig(emulator, { sync: { lookbackSeconds: 0, delayedPassLagSeconds: 120 } }),
    );
  });

  afterAll(async () => {
    await database.drop();
    await emulator.stop();
  });

  it('reads a change search indexed late in the delayed pass, after the main window passed it by', async () => {
    await syncConnection(ctx);
    emulator.store.clock.advance(60_000);
    const deal = (emulator.store.groundTruth('deals').deals as Array<{ id: string; archived: boolean }>).find(
      (record) => !record.archived,
    )!;
    // Written now, stamped 5 s ago: search shows it only a minute from now.
    const stamp = new Date(emulator.store.clock.nowMs() - 5000).toISOString();
    emulator.store.mutate([
      { op: 'update', object: 'deals', id: deal.id, properties: { amount: '4242.42' }, at: stamp },
    ]);
    const landedAmount = async () =>
      (
        await database.db
          .selectFrom('crm_records')
          .select('data')
          .where('connection_id', '=', 'hs')
          .where('object', '=', 'deals')
          .where('crm_id', '=', deal.id)
          .executeTakeFirstOrThrow()
      ).data.amount;

    await syncConnection(ctx, { objects: ['deals'] });
    expect(await landedAmount()).not.toBe('4242.42');

    emulator.store.clock.advance(200_000);
    emulator.store.usage.reset();
    await syncConnection(ctx, { objects: ['deals'] });
    expect(await landedAmount()).toBe('4242.42');
    // the main window (past the change) and the delayed window (which found it)
    expect(emulator.store.usageSnapshot().byEndpoint['objects.search']).toBe(2);
  });
});
