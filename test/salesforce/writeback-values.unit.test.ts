import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SALESFORCE_WRITEBACK_DEFAULTS,
  roundTo,
  toSalesforceValue,
} from '../../connectors/salesforce/writeback.ts';
import type { WritebackField } from '../../connectors/types.ts';

const METADATA = 'connectors/salesforce/metadata/force-app/main/default';
const field = (type: string, scale = 2): WritebackField => ({
  name: 'X__c',
  type,
  scale,
  picklistValues: [],
  exists: true,
  updateable: true,
});

describe('Salesforce writeback values', () => {
  it('stores ratios as 0–100 in percent fields, rounded to the field scale', () => {
    expect(toSalesforceValue('attainment', 0.856749, field('percent'))).toBe(85.67);
    expect(toSalesforceValue('win_rate', 1 / 3, field('percent'))).toBe(33.33);
    expect(toSalesforceValue('avg_discount', 0.125, field('percent', 1))).toBe(12.5);
    // a ratio in a number field stays a ratio
    expect(toSalesforceValue('pipeline_coverage', 2.34567, field('double'))).toBe(2.35);
    expect(toSalesforceValue('avg_cycle_days', 41.25, field('double', 1))).toBe(41.3);
    expect(toSalesforceValue('bookings', 1234.005, field('currency'))).toBe(1234.01);
  });

  it('writes pace status as its picklist label, the as-of day, and null as null', () => {
    expect(toSalesforceValue('pace_status', 'on_track', field('picklist'))).toBe('On Track');
    expect(toSalesforceValue('as_of', '2026-11-22', field('datetime'))).toBe('2026-11-22T00:00:00.000Z');
    expect(toSalesforceValue('as_of', '2026-11-22', field('date'))).toBe('2026-11-22');
    expect(toSalesforceValue('attainment', null, field('percent'))).toBeNull();
  });

  it('rounds decimals the way they read, not the way binary floats store them', () => {
    expect(roundTo(1.005, 2)).toBe(1.01);
    expect(roundTo(-1.005, 2)).toBe(-1.01);
    expect(roundTo(2.5, 0)).toBe(3);
  });

  it('ships a field for every default mapping and permission sets covering them all', () => {
    const shipped = readdirSync(`${METADATA}/objects/User/fields`).map((file) =>
      file.replace('.field-meta.xml', ''),
    );
    expect(shipped.sort()).toEqual(SALESFORCE_WRITEBACK_DEFAULTS.map((mapping) => mapping.field).sort());
    for (const permissionSet of ['Attain_Integration', 'Attain_KPI_Viewer']) {
      const xml = readFileSync(`${METADATA}/permissionsets/${permissionSet}.permissionset-meta.xml`, 'utf8');
      for (const name of shipped) expect(xml).toContain(`<field>User.${name}</field>`);
    }
    const pace = readFileSync(`${METADATA}/objects/User/fields/Attain_Pace_Status__c.field-meta.xml`, 'utf8');
    for (const label of ['Ahead', 'On Track', 'Behind', 'At Risk'])
      expect(pace).toContain(`<fullName>${label}</fullName>`);
  });
});
