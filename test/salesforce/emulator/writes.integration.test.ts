import type { Connection } from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/emulator.ts';
import { NOW, rejection, tokenConnection } from './jsforce-client.ts';

type Row = Record<string, unknown>;
interface Saved {
  id: string | null;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
  created?: boolean;
}

describe('Salesforce emulator: writes through real jsforce', () => {
  let emulator: SalesforceEmulator;
  let conn: Connection;
  let taskIds: string[];
  let userIds: string[];

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ scale: 3, seed: 13, now: NOW });
    conn = tokenConnection(emulator);
    taskIds = emulator.store.query('SELECT Id FROM Task ORDER BY Id').map((r) => String(r.Id));
    userIds = emulator.store.query('SELECT Id FROM User WHERE IsActive = true').map((r) => String(r.Id));
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.store.requestLog.reset());

  const patches = () => emulator.store.requestLog.entries().filter((r) => r.method === 'PATCH');

  it('accepts a collection of 200 records and rejects 201 with EXCEEDED_ID_LIMIT', async () => {
    const records = (n: number) => taskIds.slice(0, n).map((Id, i) => ({ Id, Subject: `batch ${i}` }));
    const saved = (await conn.sobject('Task').update(records(200))) as Saved[];
    expect(saved).toHaveLength(200);
    expect(saved.every((r, i) => r.success && r.id === taskIds[i] && r.errors.length === 0)).toBe(true);
    expect(emulator.store.get(taskIds[199]!)!.Subject).toBe('batch 199');

    const tooMany = await rejection(conn.sobject('Task').update(records(201)));
    expect(tooMany.errorCode).toBe('EXCEEDED_ID_LIMIT');
    expect(tooMany.message).toBe('record limit reached. cannot submit more than 200 records into this call');
    expect(patches().map((r) => JSON.parse(r.body).records.length)).toEqual([200, 201]);

    const recursive = (await conn.sobject('Task').update(records(250), { allowRecursive: true })) as Saved[];
    expect(recursive.filter((r) => r.success)).toHaveLength(250);
    expect(
      patches()
        .slice(2)
        .map((r) => JSON.parse(r.body).records.length),
    ).toEqual([200, 50]);
  });

  it('bumps SystemModstamp and LastModifiedDate on every write, one stamp per request', async () => {
    const before = emulator.store.get(userIds[0]!)!;
    const clockBefore = emulator.store.clock.nowSecondsMs();
    await conn
      .sobject('User')
      .update(userIds.slice(0, 3).map((Id) => ({ Id, Attain_Bookings__c: 1234.567 })));
    const after = userIds.slice(0, 3).map((id) => emulator.store.get(id)!);
    expect(Date.parse(String(after[0]!.SystemModstamp))).toBeGreaterThanOrEqual(clockBefore);
    expect(after[0]!.SystemModstamp).not.toBe(before.SystemModstamp);
    expect(after[0]!.LastModifiedDate).toBe(after[0]!.SystemModstamp);
    expect(new Set(after.map((r) => r.SystemModstamp)).size).toBe(1);
    expect(after[0]!.Attain_Bookings__c).toBe(1234.57);
    expect(after[0]!.LastModifiedById).toBe(emulator.store.org.integrationUserId);
  });

  it('rolls the whole request back with allOrNone when one record fails', async () => {
    const before = userIds.map((id) => emulator.store.get(id)!);
    const saved = (await conn.sobject('User').update(
      userIds.map((Id, i) => ({ Id, Attain_Pace_Status__c: i === 1 ? 'Sideways' : 'Ahead' })),
      { allOrNone: true },
    )) as Saved[];
    expect(saved[1]).toEqual({
      id: userIds[1],
      success: false,
      errors: [
        {
          statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          message: 'Pace Status: bad value for restricted picklist field: Sideways',
          fields: ['Attain_Pace_Status__c'],
        },
      ],
    });
    for (const [i, result] of saved.entries()) {
      if (i === 1) continue;
      expect(result).toMatchObject({
        success: false,
        errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }],
      });
    }
    expect(userIds.map((id) => emulator.store.get(id)!)).toEqual(before);
    expect(JSON.parse(patches()[0]!.body).allOrNone).toBe(true);
  });

  it('reports per-record statusCode errors and saves the rest without allOrNone', async () => {
    const [locked, readonly, deleted, fine] = taskIds.slice(10, 14) as [string, string, string, string];
    emulator.store.recordFaults.add({ id: locked, statusCode: 'UNABLE_TO_LOCK_ROW' });
    emulator.store.mutate([{ op: 'delete', object: 'Task', id: deleted }]);
    const saved = (await conn.sobject('Task').update([
      { Id: locked, Subject: 'a' },
      { Id: readonly, IsClosed: false },
      { Id: deleted, Subject: 'b' },
      { Id: fine, Subject: 'c' },
      { Id: fine, Nope__c: 1 },
      { Id: 'not-an-id', Subject: 'd' },
    ])) as Saved[];
    expect(saved.map((r) => (r.success ? 'ok' : r.errors[0]!.statusCode))).toEqual([
      'UNABLE_TO_LOCK_ROW',
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      'ENTITY_IS_DELETED',
      'ok',
      'INVALID_FIELD',
      'MALFORMED_ID',
    ]);
    expect(saved[0]!.errors[0]!.message).toBe(
      `unable to obtain exclusive access to this record or 1 records: ${locked}`,
    );
    expect(emulator.store.get(fine)!.Subject).toBe('c');
    const retried = (await conn.sobject('Task').update([{ Id: locked, Subject: 'a' }])) as Saved[];
    expect(retried[0]!.success).toBe(true);
  });

  it('answers a single-record PATCH with 204', async () => {
    const result = await conn.sobject('User').update({ Id: userIds[0]!, Attain_Quota_Attainment__c: 87.5 });
    expect(result).toEqual({ id: userIds[0], success: true, errors: [] });
    expect(patches()[0]).toMatchObject({
      path: `/services/data/v59.0/sobjects/User/${userIds[0]}`,
      status: 204,
    });
    expect(JSON.parse(patches()[0]!.body)).toEqual({ Attain_Quota_Attainment__c: 87.5 });
    const bad = await rejection(conn.sobject('User').update({ Id: userIds[0]!, Attain_Win_Rate__c: 1e20 }));
    expect(bad.errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
  });

  it('follows the org schema when a field is removed or made read-only', async () => {
    emulator.store.setFieldUpdateable('User', 'Attain_Quota__c', false);
    emulator.store.removeField('User', 'Attain_Avg_Discount__c');
    const saved = (await conn.sobject('User').update([
      { Id: userIds[0]!, Attain_Quota__c: 10 },
      { Id: userIds[1]!, Attain_Avg_Discount__c: 10 },
    ])) as Saved[];
    expect(saved.map((r) => r.errors[0]?.statusCode)).toEqual([
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      'INVALID_FIELD',
    ]);
    const describe = await conn.sobject('User').describe();
    expect(describe.fields.find((f) => f.name === 'Attain_Quota__c')!.updateable).toBe(false);
    expect(describe.fields.some((f) => f.name === 'Attain_Avg_Discount__c')).toBe(false);
    const query = await rejection(conn.query('SELECT Attain_Avg_Discount__c FROM User'));
    expect(query.errorCode).toBe('INVALID_FIELD');
    emulator.store.setFieldUpdateable('User', 'Attain_Quota__c', true);
  });

  it('upserts by an id-lookup field, creating what does not match', async () => {
    const existing = emulator.store.get(userIds[0]!)!;
    const saved = (await conn.sobject('User').upsert(
      [
        { Username: existing.Username, Title: 'Regional VP' },
        {
          Username: 'new.rep@example.com',
          LastName: 'Rep',
          Email: 'new.rep@example.com',
          TimeZoneSidKey: 'UTC',
        },
      ],
      'Username',
    )) as Saved[];
    expect(saved[0]).toMatchObject({ id: userIds[0], success: true, created: false });
    expect(saved[1]).toMatchObject({ success: true, created: true, id: expect.stringMatching(/^005/) });
    expect(emulator.store.get(saved[1]!.id!)).toMatchObject({
      Name: 'Rep',
      IsDeleted: false,
      IsActive: false,
    });
  });

  it('creates, retrieves and deletes records', async () => {
    const lead = (await conn.sobject('Lead').create({ LastName: 'Quinn', Company: 'Acme' })) as Saved;
    expect(lead.success).toBe(true);
    const read = (await conn.sobject('Lead').retrieve(lead.id!)) as unknown as Row;
    expect(read).toMatchObject({
      LastName: 'Quinn',
      Name: 'Quinn',
      Status: 'Open - Not Contacted',
      OwnerId: emulator.store.org.integrationUserId,
    });
    const missing = await rejection(conn.sobject('Lead').create({ Company: 'Acme' }));
    expect(missing).toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [LastName]',
    });
    await conn.sobject('Lead').destroy(lead.id!);
    expect(emulator.store.get(lead.id!)!.IsDeleted).toBe(true);
    const again = await rejection(conn.sobject('Lead').destroy(lead.id!));
    expect(again.errorCode).toBe('ENTITY_IS_DELETED');
  });

  it('retrieves and deletes collections by id', async () => {
    const ids = taskIds.slice(20, 23);
    const retrieved = (await conn
      .sobject('Task')
      .retrieve(ids, { fields: ['Subject', 'Status'] })) as unknown as Row[];
    expect(retrieved.map((r) => r.Id ?? null)).toEqual([null, null, null]);
    expect(retrieved.map((r) => Object.keys(r))).toEqual(ids.map(() => ['attributes', 'Subject', 'Status']));
    const request = emulator.store.requestLog.entries().at(-1)!;
    expect([request.method, request.path]).toEqual(['POST', '/services/data/v59.0/composite/sobjects/Task']);

    const deleted = (await conn.sobject('Task').destroy([...ids, ids[0]!])) as Saved[];
    expect(deleted.map((r) => (r.success ? 'ok' : r.errors[0]!.statusCode))).toEqual([
      'ok',
      'ok',
      'ok',
      'DUPLICATE_VALUE',
    ]);
    expect(ids.every((id) => emulator.store.get(id)!.IsDeleted === true)).toBe(true);
  });

  it('derives stage flags and rolls line items up to their opportunity', async () => {
    const opportunity = emulator.store.query(
      'SELECT Id FROM Opportunity WHERE IsClosed = false AND HasOpportunityLineItem = true LIMIT 1',
    )[0]!;
    await conn.sobject('Opportunity').update({ Id: String(opportunity.Id), StageName: 'Closed Won' });
    expect(emulator.store.get(String(opportunity.Id))).toMatchObject({
      IsClosed: true,
      IsWon: true,
      Probability: 100,
      ForecastCategory: 'Closed',
      ForecastCategoryName: 'Closed',
    });
    const lines = emulator.store.query(
      `SELECT Id, TotalPrice FROM OpportunityLineItem WHERE OpportunityId = '${String(opportunity.Id)}'`,
    );
    await conn
      .sobject('OpportunityLineItem')
      .update({ Id: String(lines[0]!.Id), Quantity: 2, UnitPrice: 100, Discount: 10 });
    const total = lines.slice(1).reduce((sum, line) => sum + Number(line.TotalPrice), 180);
    expect(emulator.store.get(String(opportunity.Id))!.Amount).toBeCloseTo(total, 2);
  });
});
