import type { Connection } from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/emulator.ts';
import { NOW, rejection, tokenConnection } from './jsforce-client.ts';

describe('Salesforce emulator: API usage, limits and scripted faults', () => {
  let emulator: SalesforceEmulator;
  let conn: Connection;

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ scale: 2, seed: 15, now: NOW });
    conn = tokenConnection(emulator);
  });
  afterAll(() => emulator.stop());
  beforeEach(() => {
    emulator.store.usage.reset();
    emulator.store.requestLog.reset();
    emulator.store.faults.clear();
  });

  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}/__emulator${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  };

  it('counts every call in Sforce-Limit-Info, jsforce retries and bulk calls included', async () => {
    emulator.store.faults.add({ method: 'GET', pathRegex: '/limits$', status: 503, times: 1 });
    await conn.query('SELECT Id FROM User');
    const limits = await conn.limits();
    conn.bulk2.pollInterval = 10;
    const stream = await conn.bulk2.query('SELECT Id FROM Lead LIMIT 3');
    for await (const _ of stream) void _;
    await conn.sobject('Lead').describe();

    const log = emulator.store.requestLog.entries();
    const usage = emulator.store.usage.snapshot();
    expect(log.filter((r) => r.path.endsWith('/limits')).map((r) => r.status)).toEqual([503, 200]);
    expect(usage.total).toBe(log.length);
    expect(usage.byEndpoint).toMatchObject({
      query: 1,
      limits: 1,
      fault: 1,
      'bulk.create': 1,
      'bulk.results': 1,
      describe: 1,
    });
    expect(limits.DailyApiRequests).toEqual({ Max: 15_000, Remaining: 15_000 - 3 });
    expect(conn.limitInfo).toEqual({ apiUsage: { used: usage.used, limit: 15_000 } });
  });

  it('lets GET requests recover from a 429 while a PATCH surfaces a 500 at once', async () => {
    emulator.store.faults.add({ method: 'GET', pathRegex: '/query', status: 429, times: 1 });
    const started = Date.now();
    const result = await conn.query('SELECT Id FROM User LIMIT 1');
    expect(result.records).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(emulator.store.requestLog.entries().map((r) => r.status)).toEqual([429, 200]);

    emulator.store.faults.add({ method: 'PATCH', pathRegex: '/composite/sobjects', status: 500 });
    const user = emulator.store.query('SELECT Id FROM User LIMIT 1')[0]!;
    const failed = await rejection(conn.sobject('User').update([{ Id: String(user.Id), Title: 'x' }]));
    expect(failed.errorCode).toBe('UNKNOWN_EXCEPTION');
    expect(emulator.store.requestLog.entries().filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('serves custom fault bodies and headers, and delays without failing', async () => {
    emulator.store.faults.add({
      method: 'GET',
      pathRegex: '/sobjects$',
      status: 403,
      body: [
        { errorCode: 'API_DISABLED_FOR_ORG', message: 'The REST API is not enabled for this Organization.' },
      ],
      headers: { 'X-Emulated': 'yes' },
    });
    const disabled = await rejection(conn.describeGlobal());
    expect([disabled.errorCode, disabled.message]).toEqual([
      'API_DISABLED_FOR_ORG',
      'The REST API is not enabled for this Organization.',
    ]);
    emulator.store.faults.add({ pathRegex: '/limits', delayMs: 300 });
    const started = Date.now();
    await conn.limits();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED once the daily limit is used up', async () => {
    const limited = await startSalesforceEmulator({ scale: 1, seed: 15, now: NOW, dailyApiLimit: 3 });
    try {
      const client = tokenConnection(limited);
      for (let i = 0; i < 3; i++) await client.query('SELECT Id FROM User LIMIT 1');
      expect(client.limitInfo).toEqual({ apiUsage: { used: 3, limit: 3 } });
      const exhausted = await rejection(client.query('SELECT Id FROM User LIMIT 1'));
      expect([exhausted.errorCode, exhausted.message]).toEqual([
        'REQUEST_LIMIT_EXCEEDED',
        'TotalRequests Limit exceeded.',
      ]);
      limited.store.clock.advance(24 * 3600 * 1000 + 1000);
      limited.store.tokens.expireAll();
      client.accessToken = limited.store.tokens.issue(limited.store.org.integrationUserId);
      expect((await client.query('SELECT Id FROM User LIMIT 1')).records).toHaveLength(1);
    } finally {
      await limited.stop();
    }
  });

  it('refuses a call while too many long-running calls are in flight', async () => {
    const slow = await startSalesforceEmulator({
      scale: 1,
      seed: 15,
      now: NOW,
      latencyMs: 400,
      concurrentLongRunningLimit: 1,
      longRunningThresholdMs: 100,
    });
    try {
      const client = tokenConnection(slow);
      // A jsforce Query is lazy: then() sends it.
      const first = client.query('SELECT Id FROM User').then((result) => result.totalSize);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = await rejection(client.query('SELECT Id FROM User'));
      expect([second.errorCode, second.message]).toEqual([
        'REQUEST_LIMIT_EXCEEDED',
        'ConcurrentPerOrgLongTxn Limit exceeded.',
      ]);
      expect(await first).toBeGreaterThan(0);
    } finally {
      await slow.stop();
    }
  });

  it('logs requests with credentials masked', async () => {
    await conn.query("SELECT Id FROM User WHERE Name != 'x'");
    const [entry] = emulator.store.requestLog.entries();
    expect(entry).toMatchObject({
      method: 'GET',
      path: '/services/data/v59.0/query',
      query: { q: "SELECT Id FROM User WHERE Name != 'x'" },
      status: 200,
    });
    expect(entry!.headers.authorization).toBe('Bearer ***');
    expect(JSON.stringify(entry)).not.toContain(emulator.credentials.accessToken);
  });

  it('exposes the same controls over HTTP under /__emulator/', async () => {
    const info = await control('GET', '/');
    expect(info.body).toMatchObject({
      url: emulator.url,
      credentials: { clientId: emulator.credentials.clientId },
    });

    expect(
      (await control('POST', '/faults', { method: 'GET', pathRegex: '/limits', status: 502, times: 2 }))
        .status,
    ).toBe(200);
    expect(await control('GET', '/faults')).toMatchObject({ body: [{ status: 502, remaining: 2 }] });
    expect((await control('DELETE', '/faults')).body).toEqual({ ok: true });

    const lead = emulator.store.query('SELECT Id, SystemModstamp FROM Lead LIMIT 1')[0]!;
    const stamp = String(lead.SystemModstamp);
    const mutated = await control('POST', '/mutations', {
      mutations: [
        {
          op: 'update',
          object: 'lead',
          id: lead.Id,
          fields: { Company: 'Same Second Inc' },
          systemModstamp: stamp,
        },
        {
          op: 'insert',
          object: 'Lead',
          fields: { LastName: 'Older', Company: 'Lag Ltd' },
          systemModstamp: '2024-01-01T00:00:00Z',
        },
      ],
    });
    const inserted = (mutated.body as Array<{ id: string }>)[1]!.id;
    expect(emulator.store.get(String(lead.Id))).toMatchObject({
      Company: 'Same Second Inc',
      SystemModstamp: stamp,
    });
    expect(emulator.store.get(inserted)).toMatchObject({
      SystemModstamp: '2024-01-01T00:00:00.000+0000',
      Name: 'Older',
    });
    expect(
      (
        await control('POST', '/mutations', [
          { op: 'update', object: 'Lead', id: inserted, fields: { Nope: 1 } },
        ])
      ).body,
    ).toEqual({
      error: 'no field Lead.Nope',
    });

    await control('POST', '/mutations', [{ op: 'delete', object: 'Lead', id: inserted }]);
    const truth = (await control('GET', '/ground-truth?object=Lead')).body as {
      Lead: Array<Record<string, unknown>>;
    };
    expect(truth.Lead.find((r) => r.Id === inserted)).toMatchObject({ IsDeleted: true });
    await control('POST', '/mutations', [{ op: 'purge', object: 'Lead', id: inserted }]);
    expect(emulator.store.get(inserted)).toBeUndefined();

    await control('PATCH', '/schema/User/fields/Attain_Bookings__c', { updateable: false });
    expect(emulator.store.schema.field('User', 'Attain_Bookings__c')!.updateable).toBe(false);
    await control('DELETE', '/schema/User/fields/Attain_Win_Rate__c');
    expect(emulator.store.schema.field('User', 'Attain_Win_Rate__c')).toBeUndefined();

    await conn.query('SELECT Id FROM User');
    expect(await control('GET', '/usage')).toMatchObject({
      body: { used: 1, total: 1, byEndpoint: { query: 1 } },
    });
    expect(((await control('GET', '/requests')).body as unknown[]).length).toBe(1);
    await control('POST', '/tokens/expire');
    expect((await rejection(conn.query('SELECT Id FROM User'))).errorCode).toBe('INVALID_SESSION_ID');
    conn.accessToken = emulator.store.tokens.issue(emulator.store.org.integrationUserId);
    expect(await control('POST', '/clock/advance', { seconds: 60 })).toMatchObject({ status: 200 });
    expect(await control('GET', '/nope')).toMatchObject({ status: 404 });
  });
});
