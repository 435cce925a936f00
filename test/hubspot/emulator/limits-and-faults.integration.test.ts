import type { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/emulator.ts';
import { clientFor, failure } from './client.ts';

describe('HubSpot emulator: rate limits, faults, auth, log, usage and the control API', () => {
  let emulator: HubSpotEmulator;
  let client: Client;
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}/__emulator${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const list = () => client.crm.objects.basicApi.getPage('deals', 1);
  /** Empties the rate-limit windows: they run on the portal clock. */
  const later = (seconds = 11) => emulator.store.clock.advance(seconds * 1000);

  beforeAll(async () => {
    emulator = await startHubSpotEmulator({
      seed: 13,
      scale: 1,
      now: '2026-03-15T15:20:00Z',
      requestsPer10s: 5,
      searchPerSecond: 2,
    });
    client = clientFor(emulator);
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it('answers the 6th request in 10 s with 429 TEN_SECONDLY_ROLLING, Retry-After and rate-limit headers', async () => {
    later();
    for (let i = 0; i < 5; i++) await list();
    const error = await failure(list());
    expect(error.code).toBe(429);
    expect(error.body).toMatchObject({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
      category: 'RATE_LIMITS',
    });
    expect(Number(error.headers['retry-after'])).toBeGreaterThan(0);
    expect(error.headers).toMatchObject({
      'x-hubspot-ratelimit-max': '5',
      'x-hubspot-ratelimit-remaining': '0',
    });
    later();
    await expect(list()).resolves.toBeDefined();
  });

  it('limits search per second (SECONDLY) and sends the older body form when asked', async () => {
    later();
    emulator.store.settings.legacyRateLimitBodies = true;
    const search = () => client.crm.objects.searchApi.doSearch('calls', { limit: 1 } as never);
    await search();
    await search();
    const error = await failure(search());
    expect(error.body).toMatchObject({
      message: 'You have reached your secondly limit.',
      policyName: 'SECONDLY',
    });
    expect(error.body.category).toBeUndefined();
    emulator.store.settings.legacyRateLimitBodies = false;
  });

  it('answers 429 DAILY past the daily limit until midnight in the portal time zone', async () => {
    later();
    const { used } = emulator.store.usageSnapshot().daily;
    emulator.store.settings.dailyApiLimit = used + 1;
    await list();
    const error = await failure(list());
    expect(error.body).toMatchObject({ policyName: 'DAILY', message: 'You have reached your daily limit.' });
    expect(error.headers['x-hubspot-ratelimit-daily-remaining']).toBe('0');
    later(86_400);
    await expect(list()).resolves.toBeDefined();
    emulator.store.settings.dailyApiLimit = 1_000_000;
  });

  it('rejects a missing or unknown token with 401 INVALID_AUTHENTICATION, not counted', async () => {
    later();
    emulator.store.usage.reset();
    const error = await failure(clientFor(emulator, 'pat-na1-nope').crm.objects.basicApi.getPage('deals', 1));
    expect(error.code).toBe(401);
    expect(error.body.category).toBe('INVALID_AUTHENTICATION');
    expect(emulator.store.usageSnapshot().total).toBe(0);
  });

  it('scripted faults: a 502, and a body without Content-Type the client cannot parse', async () => {
    later();
    await control('POST', '/faults', { method: 'GET', pathRegex: '^/crm/v3/objects/deals', status: 502 });
    expect((await failure(list())).code).toBe(502);
    await control('POST', '/faults', {
      method: 'GET',
      pathRegex: '^/crm/v3/objects/deals',
      status: 429,
      body: 'slow down',
    });
    const error = await failure(list());
    expect(error.code).toBeUndefined();
    expect(error.message).toBe('Cannot parse content. No Content-Type defined.');
  });

  it('logs requests with the token masked, counts usage per endpoint, and answers the control API', async () => {
    later();
    await control('DELETE', '/requests');
    await control('DELETE', '/usage');
    await list();
    const log = (await control('GET', '/requests')).body as Array<{
      path: string;
      headers: Record<string, string>;
    }>;
    expect(log.map((entry) => entry.path)).toEqual(['/crm/v3/objects/deals']);
    expect(log[0]!.headers.authorization).toBe('Bearer ***');
    expect(((await control('GET', '/usage')).body as { byEndpoint: object }).byEndpoint).toEqual({
      'objects.list': 1,
    });

    const [created] = (
      await control('POST', '/mutations', [
        {
          op: 'create',
          object: 'deals',
          properties: { dealname: 'Via control', pipeline: 'default', dealstage: 'closedwon' },
        },
      ])
    ).body as Array<{ id: string }>;
    const truth = (await control('GET', `/ground-truth?object=deals`)).body as {
      deals: Array<{ id: string; properties: Record<string, string> }>;
    };
    expect(truth.deals.find((deal) => deal.id === created!.id)!.properties.hs_is_closed_won).toBe('true');
    expect(
      (await control('POST', '/mutations', [{ op: 'create', object: 'deals', properties: { nope: 'x' } }]))
        .status,
    ).toBe(400);
    expect((await control('PATCH', '/settings', { searchVisibilityDelayMs: 1000 })).status).toBe(200);
    expect((await control('PATCH', '/settings', { portalId: 1 })).status).toBe(400);
  });

  it('lets search see a write only after the indexing lag, while reads see it at once', async () => {
    later();
    emulator.store.settings.searchVisibilityDelayMs = 30_000;
    const [created] = emulator.store.mutate([
      { op: 'create', object: 'calls', properties: { hs_call_title: 'Indexed late' } },
    ]);
    const find = () =>
      client.crm.objects.searchApi.doSearch('calls', {
        filterGroups: [
          { filters: [{ propertyName: 'hs_object_id', operator: 'EQ' as never, value: created!.id }] },
        ],
        limit: 1,
      } as never);
    expect((await find()).total).toBe(0);
    expect((await client.crm.objects.basicApi.getById('calls', created!.id)).id).toBe(created!.id);
    later(31);
    expect((await find()).total).toBe(1);
    emulator.store.settings.searchVisibilityDelayMs = 0;
  });
});
