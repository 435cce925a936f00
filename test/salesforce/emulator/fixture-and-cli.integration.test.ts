import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/emulator.ts';
import { API_VERSION, NOW, passwordConnection, tokenConnection } from './jsforce-client.ts';

type Row = Record<string, unknown>;

const ANN = '005000000000001AAA';
const BOT = '005000000000002AAA';
const QUEUE = '00G000000000001EAA';

const FIXTURE = {
  Organization: [{ Name: 'Fixture Org', TimeZoneSidKey: 'Europe/Berlin', FiscalYearStartMonth: 4 }],
  User: [
    { Id: ANN, FirstName: 'Ann', LastName: 'Lee', Email: 'ann@example.com', Username: 'ann@example.com' },
    { Id: BOT, LastName: 'Bot', Email: 'bot@example.com', Username: 'integration@emulator.example' },
  ],
  Group: [{ Id: QUEUE, Name: 'Inbound', Type: 'Queue' }],
  Lead: [{ LastName: 'Queued', Company: 'Acme', OwnerId: QUEUE, Status: 'Open - Not Contacted' }],
  Opportunity: [
    {
      Id: '006000000000001AAA',
      Name: 'Big deal',
      StageName: 'Closed Won',
      CloseDate: '2026-01-15',
      Amount: 1000,
      OwnerId: ANN,
      SystemModstamp: '2026-01-15T10:00:00Z',
      Score__c: 4.5,
      Region__c: 'EMEA',
    },
  ],
  Task: [
    {
      Subject: 'Old call',
      TaskSubtype: 'Call',
      Status: 'Completed',
      ActivityDate: '2020-01-01',
      OwnerId: ANN,
    },
    {
      Subject: 'New call',
      TaskSubtype: 'Call',
      Status: 'Not Started',
      ActivityDate: '2026-03-20',
      OwnerId: ANN,
    },
  ],
};

const dir = mkdtempSync(path.join(tmpdir(), 'attain-sf-emulator-'));
const fixtureFile = path.join(dir, 'org.json');
writeFileSync(fixtureFile, JSON.stringify(FIXTURE));
const cli = path.resolve('src/cli.ts');

describe('Salesforce emulator: --data fixtures', () => {
  let emulator: SalesforceEmulator;

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ dataFile: fixtureFile, now: NOW });
  });
  afterAll(() => emulator.stop());

  it('loads records in Salesforce JSON shape, filling ids, audit and derived fields', async () => {
    const conn = await passwordConnection(emulator);
    expect(conn.userInfo?.id).toBe(BOT);
    const [opportunity] = (
      await conn.query<Row>(
        'SELECT Id, IsClosed, IsWon, Probability, ForecastCategoryName, SystemModstamp, Owner.Name FROM Opportunity',
      )
    ).records;
    expect(opportunity).toMatchObject({
      Id: '006000000000001AAA',
      IsClosed: true,
      IsWon: true,
      Probability: 100,
      ForecastCategoryName: 'Closed',
      SystemModstamp: '2026-01-15T10:00:00.000+0000',
      Owner: { Name: 'Ann Lee' },
    });
    const [lead] = (await conn.query<Row>('SELECT Id, Owner.Name, CreatedDate FROM Lead')).records;
    expect(lead).toMatchObject({
      Id: expect.stringMatching(/^00Q\w{15}$/),
      Owner: { attributes: { type: 'Group' }, Name: 'Inbound' },
    });
    expect(lead!.CreatedDate).toBe('2026-03-15T12:00:00.000+0000');
    const [org] = (await conn.query<Row>('SELECT TimeZoneSidKey, FiscalYearStartMonth FROM Organization'))
      .records;
    expect(org).toMatchObject({ TimeZoneSidKey: 'Europe/Berlin', FiscalYearStartMonth: 4 });
  });

  it('types fields the schema lacks from their values', async () => {
    const describe = await tokenConnection(emulator).sobject('Opportunity').describe();
    expect(describe.fields.find((f) => f.name === 'Score__c')).toMatchObject({
      type: 'double',
      custom: true,
    });
    expect(describe.fields.find((f) => f.name === 'Region__c')).toMatchObject({ type: 'string' });
    expect(describe.fields.some((f) => f.name === 'CurrencyIsoCode')).toBe(false);
  });

  it('archives old closed tasks relative to the emulator clock', async () => {
    const conn = tokenConnection(emulator);
    expect((await conn.query<Row>('SELECT Subject FROM Task')).records.map((t) => t.Subject)).toEqual([
      'New call',
    ]);
    const all = await conn.query<Row>('SELECT Subject, IsArchived FROM Task ORDER BY Subject', {
      scanAll: true,
    });
    expect(all.records.map((t) => [t.Subject, t.IsArchived])).toEqual([
      ['New call', false],
      ['Old call', true],
    ]);
  });

  it('refuses fixtures that do not fit the schema, naming the record and field', async () => {
    await expect(
      startSalesforceEmulator({
        data: { Opportunity: [{ Name: 'x', StageName: 'Prospecting', CloseDate: '15/01/2026' }] },
      }),
    ).rejects.toThrow(/Opportunity\[0\]\.CloseDate: Cannot deserialize instance of date/);
    await expect(startSalesforceEmulator({ data: { Account: [{ Name: 'x' }] } })).rejects.toThrow(
      /sObject type 'Account' is not supported by this org/,
    );
  });
});

describe('attain emulator salesforce (CLI)', () => {
  it('prints its URL and credentials, serves jsforce and stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [cli, '--json', 'emulator', 'salesforce', '--port', '0', '--data', fixtureFile],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, ATTAIN_DATA_DIR: path.join(dir, 'data') },
      },
    );
    let stdout = '';
    const printed = await new Promise<Record<string, string>>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        try {
          resolve(JSON.parse(stdout) as Record<string, string>);
        } catch {
          // not the whole document yet
        }
      });
      child.once('exit', (code) => reject(new Error(`emulator exited early with ${code}`)));
    });
    try {
      expect(printed).toMatchObject({
        provider: 'salesforce',
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      });
      expect(printed.loginUrl).toBe(printed.url);
      const conn = new Connection({
        oauth2: {
          clientId: printed.clientId!,
          clientSecret: printed.clientSecret!,
          loginUrl: printed.loginUrl!,
        },
        version: API_VERSION,
      });
      await conn.login(printed.username!, printed.password!);
      expect((await conn.query('SELECT COUNT() FROM User')).totalSize).toBe(2);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('exits 2 on bad usage and documents its options', () => {
    const result = spawnSync(process.execPath, [cli, 'emulator', 'salesforce', '--scale', 'lots'], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ATTAIN_DATA_DIR: path.join(dir, 'data') },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--scale must be an integer from 1 to 100000, got 'lots'");
    const help = spawnSync(process.execPath, [cli, 'emulator', 'salesforce', '--help'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(help.stdout).toContain('--data <file>');
  });
});
