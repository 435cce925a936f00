import type { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/emulator.ts';
import { caseSafeSuffix } from '../../../connectors/salesforce/emulator/ids.ts';
import { STAGES } from '../../../connectors/world/types.ts';
import { NOW, rejection, tokenConnection } from './jsforce-client.ts';

type Row = Record<string, unknown>;

describe('Salesforce emulator: metadata, replication and record lifecycle', () => {
  let emulator: SalesforceEmulator;
  let conn: Connection;

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ scale: 2, seed: 16, now: NOW });
    conn = tokenConnection(emulator);
  });
  afterAll(() => emulator.stop());

  it('lists the org objects with their key prefixes in describeGlobal', async () => {
    const global = await conn.describeGlobal();
    expect(global.maxBatchSize).toBe(200);
    const prefixes = Object.fromEntries(global.sobjects.map((o) => [o.name, o.keyPrefix]));
    expect(prefixes).toMatchObject({
      User: '005',
      Group: '00G',
      Lead: '00Q',
      Task: '00T',
      Event: '00U',
      Opportunity: '006',
      OpportunityLineItem: '00k',
      Quote: '0Q0',
      QuoteLineItem: '0QL',
      ForecastingQuota: '0J9',
      Period: '026',
      OpportunityStage: '01J',
    });
  });

  it('describes fields with types, picklist values, references and writeback access', async () => {
    const opportunity = await conn.sobject('Opportunity').describe();
    const field = (name: string) => opportunity.fields.find((f) => f.name === name)!;
    expect(field('StageName').picklistValues!.map((v) => v.value)).toEqual(
      STAGES.map((s) => s.salesforceName),
    );
    expect(field('ForecastCategory').picklistValues!.map((v) => v.value)).toEqual([
      'Omitted',
      'Pipeline',
      'BestCase',
      'Forecast',
      'Closed',
    ]);
    expect(field('Amount')).toMatchObject({
      type: 'currency',
      precision: 18,
      scale: 2,
      soapType: 'xsd:double',
    });
    expect(field('IsWon')).toMatchObject({ type: 'boolean', updateable: false, nillable: false });
    expect(field('OwnerId')).toMatchObject({
      type: 'reference',
      referenceTo: ['User'],
      relationshipName: 'Owner',
    });
    expect(opportunity.childRelationships).toContainEqual(
      expect.objectContaining({
        childSObject: 'OpportunityLineItem',
        field: 'OpportunityId',
        relationshipName: 'OpportunityLineItems',
      }),
    );

    const lead = await conn.sobject('Lead').describe();
    expect(lead.fields.find((f) => f.name === 'OwnerId')).toMatchObject({
      referenceTo: ['Group', 'User'],
      polymorphicForeignKey: true,
    });
    const user = await conn.sobject('User').describe();
    expect(user.fields.find((f) => f.name === 'Attain_Pace_Status__c')).toMatchObject({
      type: 'picklist',
      restrictedPicklist: true,
      updateable: true,
      custom: true,
      picklistValues: ['Ahead', 'On Track', 'Behind', 'At Risk'].map((value) =>
        expect.objectContaining({ value }),
      ),
    });
    expect(user.fields.find((f) => f.name === 'Attain_Avg_Cycle_Days__c')).toMatchObject({
      type: 'double',
      precision: 16,
      scale: 1,
    });
    expect(user.fields.find((f) => f.name === 'Attain_KPIs_As_Of__c')).toMatchObject({
      type: 'datetime',
      nillable: true,
    });
  });

  it('serves stage metadata and lead status flags as records', async () => {
    const stages = await conn.query<Row>(
      'SELECT ApiName, IsClosed, IsWon, DefaultProbability, ForecastCategoryName FROM OpportunityStage ORDER BY SortOrder',
    );
    expect(stages.records.map((s) => [s.ApiName, s.IsClosed, s.IsWon, s.DefaultProbability])).toEqual(
      STAGES.map((s) => [s.salesforceName, s.isClosed, s.isWon, s.probability * 100]),
    );
    const converted = await conn.query<Row>('SELECT MasterLabel FROM LeadStatus WHERE IsConverted = true');
    expect(converted.records.map((s) => s.MasterLabel)).toEqual(['Closed - Converted']);
  });

  it('issues 18-character ids with the case-safe checksum', () => {
    for (const rows of Object.values(emulator.store.groundTruth())) {
      for (const row of rows) {
        const id = String(row.Id);
        expect(id).toHaveLength(18);
        expect(id.slice(15)).toBe(caseSafeSuffix(id.slice(0, 15)));
      }
    }
  });

  it('reports limits', async () => {
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(15_000);
    expect(limits.DailyBulkV2QueryJobs).toEqual({ Max: 10_000, Remaining: 10_000 });
  });

  it('soft-deletes, undeletes and purges as getUpdated, getDeleted and queryAll report', async () => {
    const now = emulator.store.clock.nowMs();
    const start = new Date(now - 3600_000);
    const end = new Date(now + 120_000);
    const [kept, gone] = emulator.store
      .query('SELECT Id FROM Lead WHERE IsConverted = false ORDER BY Id LIMIT 2')
      .map((r) => String(r.Id)) as [string, string];
    await conn.sobject('Lead').update({ Id: kept, Company: 'Updated Co' });
    await conn.sobject('Lead').destroy(gone);

    const updated = await conn.sobject('Lead').updated(start, end);
    expect(updated.ids).toContain(kept);
    expect(updated.ids).not.toContain(gone);
    const deleted = await conn.sobject('Lead').deleted(start, end);
    expect(deleted.deletedRecords.map((d) => d.id)).toEqual([gone]);
    expect(deleted.deletedRecords[0]!.deletedDate).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/,
    );

    const visible = await conn.query<Row>(`SELECT Id FROM Lead WHERE Id = '${gone}'`);
    expect(visible.totalSize).toBe(0);
    const binned = await conn.query<Row>(`SELECT Id, IsDeleted FROM Lead WHERE Id = '${gone}'`, {
      scanAll: true,
    });
    expect(binned.records[0]!.IsDeleted).toBe(true);

    emulator.store.mutate([{ op: 'undelete', object: 'Lead', id: gone }]);
    expect((await conn.query(`SELECT Id FROM Lead WHERE Id = '${gone}'`)).totalSize).toBe(1);
    expect((await conn.sobject('Lead').deleted(start, end)).deletedRecords).toEqual([]);

    emulator.store.mutate([
      { op: 'delete', object: 'Lead', id: gone },
      { op: 'purge', object: 'Lead', id: gone },
    ]);
    expect((await conn.query(`SELECT Id FROM Lead WHERE Id = '${gone}'`, { scanAll: true })).totalSize).toBe(
      0,
    );
    expect((await conn.sobject('Lead').deleted(start, end)).deletedRecords.map((d) => d.id)).toEqual([gone]);

    const tooOld = await rejection(conn.sobject('Lead').updated(new Date(now - 40 * 86_400_000), end));
    expect(tooOld.errorCode).toBe('INVALID_REPLICATION_DATE');
  });

  it('removes the objects and fields of disabled features', async () => {
    const plain = await startSalesforceEmulator({
      scale: 1,
      seed: 16,
      now: NOW,
      features: { quotes: false, forecasting: false, multiCurrency: false },
    });
    try {
      const client = tokenConnection(plain);
      const names = (await client.describeGlobal()).sobjects.map((o) => o.name);
      expect(names).not.toContain('Quote');
      expect(names).not.toContain('ForecastingQuota');
      expect(names).not.toContain('CurrencyType');
      const quotes = await rejection(client.query('SELECT Id FROM Quote'));
      expect(quotes.errorCode).toBe('INVALID_TYPE');
      expect(quotes.message).toContain("sObject type 'Quote' is not supported.");
      const currency = await rejection(client.query('SELECT CurrencyIsoCode FROM Opportunity'));
      expect(currency.errorCode).toBe('INVALID_FIELD');
      const task = await client.sobject('Task').describe();
      expect(task.fields.find((f) => f.name === 'WhatId')!.referenceTo).toEqual(['Opportunity']);
    } finally {
      await plain.stop();
    }
  });
});
