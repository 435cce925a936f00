import type { Connection } from 'jsforce';
import type { QueryOptions } from 'jsforce/lib/query.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/emulator.ts';
import { NOW, rejection, tokenConnection } from './jsforce-client.ts';

type Row = Record<string, unknown>;

describe('Salesforce emulator: REST query through real jsforce', () => {
  let emulator: SalesforceEmulator;
  let conn: Connection;
  let truth: Record<string, Row[]>;

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ scale: 3, seed: 11, now: NOW });
    conn = tokenConnection(emulator);
    truth = emulator.store.groundTruth();
  });
  afterAll(() => emulator.stop());

  const live = (object: string) =>
    truth[object]!.filter((r) => r.IsDeleted !== true && r.IsArchived !== true);

  it('pages through nextRecordsUrl (Sforce-Query-Options batchSize) until done', async () => {
    const soql = 'SELECT Id, Subject FROM Task ORDER BY Id';
    const options = {
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    } as Partial<QueryOptions> as QueryOptions;
    let page = await conn.query<Row>(soql, options);
    expect(page.totalSize).toBe(live('Task').length);
    expect(page.totalSize).toBeGreaterThan(200);
    const ids = page.records.map((r) => r.Id);
    let pages = 1;
    while (!page.done) {
      expect(page.records).toHaveLength(200);
      expect(page.nextRecordsUrl).toMatch(
        new RegExp(`/services/data/v59\\.0/query/01g[A-Za-z0-9]{15}-${ids.length}$`),
      );
      page = await conn.queryMore<Row>(page.nextRecordsUrl!, options);
      ids.push(...page.records.map((r) => r.Id));
      pages++;
    }
    expect(pages).toBe(Math.ceil(live('Task').length / 200));
    expect(page.nextRecordsUrl).toBeUndefined();
    expect(ids).toEqual(
      live('Task')
        .map((r) => r.Id)
        .sort(),
    );
    const requests = emulator.store.requestLog.entries().filter((r) => r.path.includes('/query'));
    expect(requests.slice(-pages).every((r) => r.headers['sforce-query-options'] === 'batchSize=200')).toBe(
      true,
    );
  });

  it('clamps batchSize to 200..2000 and follows pages with autoFetch', async () => {
    const small = await conn.query<Row>('SELECT Id FROM Task', {
      headers: { 'Sforce-Query-Options': 'batchSize=5' },
    });
    expect(small.records).toHaveLength(200);
    const all = await conn.query<Row>('SELECT Id FROM Task', { autoFetch: true, maxFetch: 100_000 });
    expect(all.records).toHaveLength(live('Task').length);
    expect(all.done).toBe(true);
  });

  it('queryAll returns deleted rows and archived activities that query hides', async () => {
    const deleted = truth.Task!.filter((r) => r.IsDeleted === true);
    const archived = truth.Task!.filter((r) => r.IsArchived === true);
    expect(deleted.length).toBeGreaterThan(0);
    expect(archived.length).toBeGreaterThan(0);

    const visible = await conn.query<Row>('SELECT Id, IsDeleted, IsArchived FROM Task', {
      autoFetch: true,
      maxFetch: 100_000,
    });
    expect(visible.records.some((r) => r.IsDeleted === true || r.IsArchived === true)).toBe(false);
    const everything = await conn.query<Row>('SELECT Id, IsDeleted, IsArchived FROM Task', {
      scanAll: true,
      autoFetch: true,
      maxFetch: 100_000,
    });
    expect(everything.totalSize).toBe(truth.Task!.length);
    const byId = new Map(everything.records.map((r) => [r.Id, r]));
    for (const row of [...deleted, ...archived]) {
      expect(byId.get(row.Id)).toMatchObject({ IsDeleted: row.IsDeleted, IsArchived: row.IsArchived });
    }
    const request = emulator.store.requestLog.entries().find((r) => r.path.endsWith('/queryAll'));
    expect(request?.query.q).toBe('SELECT Id, IsDeleted, IsArchived FROM Task');
  });

  it('answers SELECT COUNT() with totalSize and no records', async () => {
    const count = await conn.query('SELECT COUNT() FROM Lead');
    expect(count).toEqual({ totalSize: live('Lead').length, done: true, records: [] });
    const all = await conn.query('SELECT COUNT() FROM Lead', { scanAll: true });
    expect(all.totalSize).toBe(truth.Lead!.length);
  });

  it('nests parent fields, with the actual type of a polymorphic owner', async () => {
    const queueLead = live('Lead').find((r) => String(r.OwnerId).startsWith('00G'))!;
    const userLead = live('Lead').find((r) => String(r.OwnerId).startsWith('005'))!;
    const result = await conn.query<Row>(
      `SELECT Id, Owner.Name, Status, Owner.Type FROM Lead WHERE Id IN ('${String(queueLead.Id)}', '${String(userLead.Id)}') ORDER BY Owner.Name DESC`,
    );
    const byId = new Map(result.records.map((r) => [r.Id, r]));
    const queue = truth.Group!.find((g) => g.Id === queueLead.OwnerId)!;
    const owner = truth.User!.find((u) => u.Id === userLead.OwnerId)!;
    expect(Object.keys(byId.get(queueLead.Id)!)).toEqual(['attributes', 'Id', 'Owner', 'Status']);
    expect(byId.get(queueLead.Id)!.Owner).toEqual({
      attributes: { type: 'Group', url: `/services/data/v59.0/sobjects/Group/${String(queue.Id)}` },
      Name: queue.Name,
      Type: 'Queue',
    });
    expect(byId.get(userLead.Id)!.Owner).toMatchObject({
      attributes: { type: 'User' },
      Name: owner.Name,
      Type: null,
    });
    const withoutParent = await conn.query<Row>('SELECT Id, Who.Name FROM Event WHERE WhoId = null LIMIT 1');
    expect(withoutParent.records[0]!.Who).toBeNull();
  });

  it('filters with the SOQL subset exactly as the data says', async () => {
    const from = '2025-01-01T00:00:00Z';
    const to = '2025-07-01T00:00:00.000+0000';
    const window = await conn.query<Row>(
      `SELECT Id, SystemModstamp FROM Opportunity WHERE SystemModstamp >= ${from} AND SystemModstamp < 2025-07-01T00:00:00Z ORDER BY SystemModstamp, Id`,
      { scanAll: true },
    );
    const expected = truth.Opportunity!.filter(
      (r) => String(r.SystemModstamp) >= '2025-01-01T00:00:00.000+0000' && String(r.SystemModstamp) < to,
    );
    expect(window.records.map((r) => r.Id).sort()).toEqual(expected.map((r) => r.Id).sort());
    const stamps = window.records.map((r) => String(r.SystemModstamp));
    expect(stamps).toEqual([...stamps].sort());

    const offset = await conn.query<Row>(
      'SELECT Id FROM Opportunity WHERE SystemModstamp >= 2024-12-31T19:00:00-05:00 AND SystemModstamp < 2025-07-01T00:00:00Z',
      { scanAll: true },
    );
    expect(offset.totalSize).toBe(expected.length);

    const won = await conn.query<Row>(
      "SELECT Id, Amount FROM Opportunity WHERE IsWon = true AND (StageName LIKE 'closed%' OR Amount > 1000000) AND NOT Amount = null",
    );
    const expectedWon = live('Opportunity').filter((r) => r.IsWon === true && r.Amount !== null);
    expect(won.totalSize).toBe(expectedWon.length);

    const stages = await conn.query<Row>(
      "SELECT Id FROM Opportunity WHERE StageName NOT IN ('Closed Won', 'Closed Lost') AND CloseDate >= 2020-01-01",
    );
    expect(stages.totalSize).toBe(live('Opportunity').filter((r) => r.IsClosed === false).length);

    const recent = await conn.query<Row>(
      'SELECT Id, CreatedDate FROM Lead WHERE CreatedDate = LAST_N_DAYS:30',
    );
    const cutoff = Date.parse(NOW) - 31 * 86_400_000;
    expect(recent.records.every((r) => Date.parse(String(r.CreatedDate)) > cutoff)).toBe(true);

    const nullsLast = await conn.query<Row>(
      'SELECT Id, Amount FROM Opportunity ORDER BY Amount DESC NULLS LAST, Id',
    );
    const amounts = nullsLast.records.map((r) => r.Amount);
    const firstNull = amounts.indexOf(null);
    expect(firstNull === -1 || amounts.slice(firstNull).every((a) => a === null)).toBe(true);
    expect(
      (amounts.filter((a) => a !== null) as number[]).every((a, i, all) => i === 0 || all[i - 1]! >= a),
    ).toBe(true);

    const limited = await conn.query<Row>('SELECT Id FROM Task ORDER BY CreatedDate DESC LIMIT 7');
    expect(limited).toMatchObject({ totalSize: 7, done: true });
  });

  it('words SOQL errors the way Salesforce does', async () => {
    const malformed = await rejection(conn.query('SELECT Id FRM Lead'));
    expect(malformed.errorCode).toBe('MALFORMED_QUERY');
    expect(malformed.message).toBe(
      '\nSELECT Id FRM Lead\n          ^\nERROR at Row:1:Column:11\nunexpected token: FRM',
    );

    const eof = await rejection(conn.query('SELECT Id FROM Lead WHERE'));
    expect(eof.message).toMatch(/ERROR at Row:1:Column:26\nunexpected token: <EOF>$/);

    const mixed = await rejection(
      conn.query("SELECT Id FROM Lead WHERE Status = 'x' AND IsConverted = true OR Email = null"),
    );
    expect(mixed.errorCode).toBe('MALFORMED_QUERY');
    expect(mixed.message).toMatch(/unexpected token: OR$/);

    const field = await rejection(conn.query('SELECT Id, Foo__c FROM Lead'));
    expect(field.errorCode).toBe('INVALID_FIELD');
    expect(field.message).toContain("No such column 'Foo__c' on entity 'Lead'.");

    const relationship = await rejection(conn.query('SELECT Id, Ownr.Name FROM Lead'));
    expect(relationship.message).toContain("Didn't understand relationship 'Ownr' in field path.");

    const quoted = await rejection(
      conn.query("SELECT Id FROM Lead WHERE SystemModstamp > '2024-01-01T00:00:00Z'"),
    );
    expect(quoted.errorCode).toBe('INVALID_FIELD');
    expect(quoted.message).toContain(
      "value of filter criterion for field 'SystemModstamp' must be of type dateTime and should not be enclosed in quotes",
    );

    const type = await rejection(conn.query('SELECT Id FROM Account'));
    expect(type.errorCode).toBe('INVALID_TYPE');
    expect(type.message).toContain("sObject type 'Account' is not supported.");

    const unsupported = await rejection(
      conn.query('SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName'),
    );
    expect(unsupported.errorCode).toBe('MALFORMED_QUERY');
  });

  it('freezes a cursor at creation and runs the concurrent writer after page N', async () => {
    const rows = live('Task').sort((a, b) => String(a.Id).localeCompare(String(b.Id)));
    const onPageTwo = rows[250]!;
    const stamp = String(rows[0]!.SystemModstamp);
    emulator.store.afterPage({
      afterPage: 1,
      cursor: 'query',
      mutations: [
        {
          op: 'update',
          object: 'Task',
          id: String(onPageTwo.Id),
          fields: { Subject: 'edited mid-sync' },
          systemModstamp: stamp,
        },
        {
          op: 'insert',
          object: 'Task',
          fields: { Subject: 'late commit', Status: 'Completed' },
          systemModstamp: '2020-01-01T00:00:00Z',
        },
      ],
    });
    const options = {
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    } as Partial<QueryOptions> as QueryOptions;
    const first = await conn.query<Row>('SELECT Id, Subject FROM Task ORDER BY Id', options);
    const second = await conn.queryMore<Row>(first.nextRecordsUrl!, options);
    expect(second.records.find((r) => r.Id === onPageTwo.Id)!.Subject).toBe(onPageTwo.Subject);
    expect(second.totalSize).toBe(first.totalSize);

    const after = await conn.query<Row>(
      `SELECT Id, Subject, SystemModstamp FROM Task WHERE Id = '${String(onPageTwo.Id)}' OR SystemModstamp < 2021-01-01T00:00:00Z`,
      { scanAll: true },
    );
    expect(after.records.map((r) => [r.Subject, r.SystemModstamp]).sort()).toEqual([
      ['edited mid-sync', stamp],
      ['late commit', '2020-01-01T00:00:00.000+0000'],
    ]);
  });

  it('rejects a locator once the cursor has expired', async () => {
    const first = await conn.query<Row>('SELECT Id FROM Task', {
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    emulator.store.clock.advance(3 * 24 * 3600 * 1000);
    conn.accessToken = emulator.store.tokens.issue(emulator.store.org.integrationUserId);
    const expired = await rejection(conn.queryMore(first.nextRecordsUrl!));
    expect(expired.errorCode).toBe('INVALID_QUERY_LOCATOR');
    expect(expired.message).toBe('invalid query locator');
  });
});
