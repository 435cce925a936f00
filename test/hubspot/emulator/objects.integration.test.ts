import type { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/emulator.ts';
import { clientFor, failure } from './client.ts';

const NOW = '2026-03-15T15:20:00Z';
type Truth = Array<{
  id: string;
  archived: boolean;
  archivedAt: string | null;
  properties: Record<string, string | null>;
  associations: Record<string, string[]>;
}>;

describe('HubSpot emulator: objects, search and batches through @hubspot/api-client', () => {
  let emulator: HubSpotEmulator;
  let client: Client;
  const truth = (object: string) => emulator.store.groundTruth(object)[object] as Truth;

  beforeAll(async () => {
    emulator = await startHubSpotEmulator({
      seed: 9,
      scale: 2,
      now: NOW,
      requestsPer10s: 100_000,
      searchPerSecond: 10_000,
    });
    client = clientFor(emulator);
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it('lists live records in id order with an opaque cursor, no paging on the last page, limit clamped to 100', async () => {
    const live = truth('calls').filter((r) => !r.archived);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await client.crm.objects.basicApi.getPage('calls', 500, after, [
        'hs_call_status',
        'no_such_property',
      ]);
      expect(page.results.length).toBeLessThanOrEqual(100);
      for (const record of page.results) {
        expect(record.createdAt).toBeInstanceOf(Date);
        expect(Object.keys(record.properties).sort()).toEqual(['hs_call_status', 'hs_object_id']);
        seen.push(record.id);
      }
      after = page.paging?.next?.after;
      pages++;
    } while (after);
    expect(seen).toEqual(live.map((r) => r.id));
    expect(pages).toBe(Math.ceil(live.length / 100));
  });

  it('keeps list paging stable while a concurrent writer inserts and purges records', async () => {
    const before = truth('emails').filter((r) => !r.archived);
    const served = before[10]!.id;
    emulator.store.afterPage({
      afterPage: 1,
      cursor: 'list',
      object: 'emails',
      mutations: [
        { op: 'purge', object: 'emails', id: served },
        { op: 'create', object: 'emails', properties: { hs_email_direction: 'EMAIL', hs_timestamp: NOW } },
      ],
    });
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await client.crm.objects.basicApi.getPage('emails', 100, after);
      seen.push(...page.results.map((r) => r.id));
      after = page.paging?.next?.after;
    } while (after);
    const now = truth('emails').filter((r) => !r.archived);
    // the first page had the purged record; every later one, and the new one at the end
    expect(seen).toEqual([...before.map((r) => r.id), now.at(-1)!.id]);
    expect(now.some((r) => r.id === served)).toBe(false);
    expect(emulator.store.pageHooks.pending()).toEqual([]);
  });

  it('accepts repeated and comma-separated array parameters, and object type ids', async () => {
    const request = client.apiRequest({
      method: 'GET',
      path: '/crm/v3/objects/0-3?limit=1&properties=dealname,amount&properties=pipeline&archived=false',
    });
    const body = (await (await request).json()) as { results: Array<{ properties: Record<string, string> }> };
    expect(Object.keys(body.results[0]!.properties).sort()).toEqual([
      'amount',
      'dealname',
      'hs_object_id',
      'pipeline',
    ]);
  });

  it('embeds associations under the display name ("line items") and serves archived records only when asked', async () => {
    const deal = truth('deals').find((r) => !r.archived && (r.associations.line_items ?? []).length > 0)!;
    const one = await client.crm.objects.basicApi.getById('deals', deal.id, ['dealname'], undefined, [
      'line_items',
    ]);
    const embedded = one.associations as Record<string, { results: Array<{ id: string; type: string }> }>;
    expect(embedded['line items']!.results).toEqual(
      deal.associations.line_items!.map((id) => ({ id, type: 'deal_to_line_item' })),
    );

    const [archived] = emulator.store.mutate([{ op: 'archive', object: 'deals', id: deal.id }]);
    expect((await failure(client.crm.objects.basicApi.getById('deals', archived!.id))).code).toBe(404);
    const page = await client.crm.objects.basicApi.getPage(
      'deals',
      100,
      undefined,
      ['dealname'],
      undefined,
      undefined,
      true,
    );
    expect(page.results.map((r) => r.id)).toEqual(
      truth('deals')
        .filter((r) => r.archived)
        .map((r) => r.id),
    );
    expect(page.results.map((r) => r.id)).toContain(archived!.id);
    expect(page.results[0]!.archivedAt).toBeInstanceOf(Date);
    emulator.store.mutate([{ op: 'restore', object: 'deals', id: deal.id }]);
  });

  it('answers 404 OBJECT_NOT_FOUND worded as HubSpot words it', async () => {
    const error = await failure(client.crm.objects.basicApi.getById('deals', '424242'));
    expect(error.code).toBe(404);
    expect(error.body).toMatchObject({
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      message: 'Object not found.  objectId are usually numeric.',
    });
    expect(error.headers['content-type']).toBe('application/json;charset=utf-8');
  });

  it('searches with filter groups, one sort (either form), offset paging and total; never archived records', async () => {
    const completed = truth('calls').filter(
      (r) => !r.archived && r.properties.hs_call_status === 'COMPLETED',
    );
    const search = (after?: string) =>
      client.crm.objects.searchApi.doSearch('calls', {
        filterGroups: [
          { filters: [{ propertyName: 'hs_call_status', operator: 'EQ' as never, value: 'completed' }] },
        ],
        sorts: ['-hs_timestamp'],
        properties: ['hs_timestamp'],
        limit: 200,
        ...(after ? { after } : {}),
      });
    const first = await search();
    expect(first.total).toBe(completed.length);
    const second = await search(first.paging!.next!.after);
    const stamps = [...first.results, ...second.results].map((r) => r.properties.hs_timestamp!);
    expect(stamps).toEqual([...stamps].sort().reverse());

    const byObject = await client.crm.objects.searchApi.doSearch('deals', {
      filterGroups: [
        { filters: [{ propertyName: 'dealstage', operator: 'IN' as never, values: ['closedwon'] }] },
        { filters: [{ propertyName: 'amount', operator: 'GT' as never, value: '200000' }] },
      ],
      sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }] as never,
      properties: ['dealstage', 'amount'],
      limit: 200,
    } as never);
    const expected = truth('deals').filter(
      (r) =>
        !r.archived && (r.properties.dealstage === 'closedwon' || Number(r.properties.amount ?? 0) > 200000),
    );
    expect(byObject.results.map((r) => r.id)).toEqual(expected.map((r) => r.id));
  });

  it('refuses a page over 200 and any page past the 10,000th result', async () => {
    expect(
      (await failure(client.crm.objects.searchApi.doSearch('calls', { limit: 201 } as never))).body,
    ).toMatchObject({
      category: 'VALIDATION_ERROR',
    });
    expect(
      (await failure(client.crm.objects.searchApi.doSearch('calls', { limit: 100, after: '9950' } as never)))
        .code,
    ).toBe(400);
  });

  it('creates (201), updates (200, bumping hs_lastmodifieddate) and archives (204, not bumping it)', async () => {
    const created = await client.crm.objects.basicApi.create('deals', {
      properties: {
        dealname: 'Emulated',
        amount: '1000',
        pipeline: 'default',
        dealstage: 'closedwon',
        closedate: NOW,
      },
      associations: [],
    });
    expect(created.properties.dealname).toBe('Emulated');
    const stored = () => truth('deals').find((r) => r.id === created.id)!;
    expect(stored().properties).toMatchObject({
      hs_is_closed_won: 'true',
      hs_deal_stage_probability: '1.0',
      amount_in_home_currency: '1000.00',
    });
    emulator.store.clock.advance(5000);
    await client.crm.objects.basicApi.update('deals', created.id, { properties: { amount: '2000' } });
    const updated = stored().properties.hs_lastmodifieddate;
    expect(Date.parse(updated!)).toBeGreaterThan(
      Date.parse(created.properties.hs_lastmodifieddate ?? stored().properties.createdate!),
    );
    emulator.store.clock.advance(5000);
    await client.crm.objects.basicApi.archive('deals', created.id);
    expect(stored()).toMatchObject({ archived: true });
    expect(stored().properties.hs_lastmodifieddate).toBe(updated);
  });

  it('rejects unknown properties, read-only ones and bad values with 400 VALIDATION_ERROR', async () => {
    const error = await failure(
      client.crm.objects.basicApi.create('deals', {
        properties: { foo: '1', amount: 'lots', hs_is_closed: 'true' },
      }),
    );
    expect(error.code).toBe(400);
    expect(String(error.body.message)).toContain('Property values were not valid');
    expect(String(error.body.message)).toContain('PROPERTY_DOESNT_EXIST');
    expect(String(error.body.message)).toContain('READ_ONLY_VALUE');
  });

  it('batches: ≤ 100 inputs, 207 with numErrors for missing ids, create 201, upsert by a unique property', async () => {
    const deals = truth('deals').filter((r) => !r.archived);
    const tooMany = await failure(
      client.crm.objects.batchApi.update('deals', {
        inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i), properties: {} })),
      }),
    );
    expect(tooMany.code).toBe(400);

    const partial = await client.crm.objects.batchApi.updateWithHttpInfo('deals', {
      inputs: [
        { id: deals[0]!.id, properties: { dealname: 'Renamed' } },
        { id: '999', properties: { dealname: 'Nobody' } },
      ],
    });
    expect(partial.httpStatusCode).toBe(207);
    expect(partial.data).toMatchObject({
      status: 'COMPLETE',
      numErrors: 1,
      errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['999'] } }],
    });

    const read = await client.crm.objects.batchApi.readWithHttpInfo('deals', {
      inputs: [{ id: deals[0]!.id }, { id: '999' }],
      properties: ['dealname'],
      propertiesWithHistory: [],
    });
    expect(read.httpStatusCode).toBe(207);
    expect(read.data.results.map((r) => r.properties.dealname)).toEqual(['Renamed']);

    const made = await client.crm.objects.batchApi.createWithHttpInfo('calls', {
      inputs: [{ properties: { hs_timestamp: NOW, hs_call_status: 'COMPLETED' }, associations: [] }],
    });
    expect(made.httpStatusCode).toBe(201);

    const duplicate = await failure(
      client.crm.objects.batchApi.update('deals', {
        inputs: [
          { id: deals[1]!.id, properties: {} },
          { id: deals[1]!.id, properties: {} },
        ],
      }),
    );
    expect(duplicate.code).toBe(400);
  });
});
