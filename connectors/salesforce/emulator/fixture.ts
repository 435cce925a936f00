import { readFileSync } from 'node:fs';
import { DEFAULT_FISCAL_YEAR_START_MONTH, DEFAULT_TIMEZONE } from '../../world/options.ts';
import { FixtureError } from './fixture-error.ts';
import { IdAllocator, toCaseSafeId } from './ids.ts';
import { field, number, reference, text, type FieldDef } from './schema/field-def.ts';
import type { OrgSchema } from './schema/org-schema.ts';
import type { OrgFeatures } from './schema/sobject-defs.ts';
import { deriveFields } from './store/derived-fields.ts';
import type { FieldValue } from './store/sobject-record.ts';
import { coerceValue } from './store/value-coercion.ts';
import { KEY_PREFIX, type RecordSink, type RenderedOrg } from './world-to-salesforce.ts';
import { formatDateTime, isDate, normalizeDateTime } from './wire-format.ts';

/**
 * Hand-written org data in Salesforce's own JSON record shape, instead of a generated world:
 *
 *   {"Opportunity": [{"Id": "006…", "StageName": "Closed Won", "CloseDate": "2026-01-15"}],
 *    "User": [{"Id": "005…", "LastName": "Ng", "Email": "ng@example.com"}]}
 *
 * Values are validated against the org schema (wrong types fail with the record and field named).
 * Fields the schema lacks are added with an inferred type. Missing Ids, audit fields and derived
 * fields (Name, IsClosed, IsWon…) are filled in; an `Organization` record, when given, sets the
 * org time zone and fiscal year start month.
 */
export type FixtureData = Record<string, Array<Record<string, unknown>>>;

export function readFixtureFile(file: string): FixtureData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FixtureError(file, error instanceof Error ? error.message : String(error));
  }
  return checkShape(parsed, file);
}

export function checkShape(value: unknown, source: string): FixtureData {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new FixtureError(source, 'expected an object of sObject name → array of records');
  }
  for (const [object, records] of Object.entries(value)) {
    if (!Array.isArray(records) || records.some((r) => !r || typeof r !== 'object' || Array.isArray(r))) {
      throw new FixtureError(source, `${object}: expected an array of record objects`);
    }
  }
  return value as FixtureData;
}

/** Features a fixture implies: multi-currency when any record carries a currency. */
export function fixtureFeatures(data: FixtureData): Partial<OrgFeatures> {
  const multiCurrency =
    Object.keys(data).some((o) => /^(CurrencyType|DatedConversionRate)$/i.test(o)) ||
    Object.values(data).some((records) => records.some((r) => 'CurrencyIsoCode' in r));
  return { multiCurrency };
}

export interface FixtureDefaults {
  source: string;
  nowMs: number;
  /** The user the credentials log in as, if the fixture has it. */
  username: string;
}

export function loadFixture(
  data: FixtureData,
  schema: OrgSchema,
  sink: RecordSink,
  defaults: FixtureDefaults,
): RenderedOrg {
  const { source } = defaults;
  const objects = new Map<string, Array<Record<string, unknown>>>();
  for (const [name, records] of Object.entries(data)) {
    const def = schema.object(name);
    if (!def) {
      throw new FixtureError(
        source,
        `sObject type '${name}' is not supported by this org (known: ${schema
          .objects()
          .map((o) => o.name)
          .join(', ')})`,
      );
    }
    objects.set(def.name, [...(objects.get(def.name) ?? []), ...records]);
  }
  for (const [object, records] of objects) addInferredFields(schema, object, records);

  const ids = new IdAllocator();
  for (const records of objects.values()) {
    for (const record of records) if (typeof record.Id === 'string') ids.reserve(record.Id);
  }
  const withIds = (object: string) =>
    (objects.get(object) ?? []).map((record) =>
      typeof record.Id === 'string'
        ? record
        : { ...record, Id: ids.allocate(schema.object(object)!.keyPrefix) },
    );
  const users = withIds('User');
  if (users.length === 0) {
    users.push({
      Id: ids.allocate(KEY_PREFIX.User),
      LastName: 'Integration',
      FirstName: 'Emulator',
      Email: defaults.username,
      Username: defaults.username,
    });
  }
  objects.set('User', users);
  const integration = users.find((u) => u.Username === defaults.username) ?? users[0]!;
  const integrationUserId = String(integration.Id);
  const organizations = withIds('Organization');
  if (organizations.length === 0) {
    organizations.push({ Id: ids.allocate(KEY_PREFIX.Organization), Name: 'Emulated Org' });
  }
  const organization: Record<string, unknown> = {
    TimeZoneSidKey: DEFAULT_TIMEZONE,
    FiscalYearStartMonth: DEFAULT_FISCAL_YEAR_START_MONTH,
    ...organizations[0]!,
  };
  objects.set('Organization', [organization, ...organizations.slice(1)]);

  const now = formatDateTime(Math.floor(defaults.nowMs / 1000) * 1000);
  for (const object of objects.keys()) {
    withIds(object).forEach((raw, index) => {
      const fields: Record<string, FieldValue> = {
        IsDeleted: false,
        CreatedDate: now,
        CreatedById: integrationUserId,
        LastModifiedById: integrationUserId,
      };
      if (object === 'User') {
        Object.assign(fields, {
          Username: typeof raw.Email === 'string' ? raw.Email : null,
          IsActive: true,
          UserType: 'Standard',
          TimeZoneSidKey: String(organization.TimeZoneSidKey),
        });
      }
      for (const [name, value] of Object.entries(raw)) {
        if (name === 'attributes') continue;
        const def = schema.field(object, name)!;
        const coerced = coerceValue(def, value);
        if (!coerced.ok)
          throw new FixtureError(source, `${object}[${index}].${def.name}: ${coerced.message}`);
        fields[def.name] = coerced.value;
      }
      fields.LastModifiedDate ??= fields.CreatedDate ?? now;
      fields.SystemModstamp ??= fields.LastModifiedDate;
      deriveFields(object, fields, new Set(Object.keys(raw)));
      sink(object, fields);
    });
  }
  return {
    orgId: String(organization.Id),
    name: String(organization.Name),
    timezone: String(organization.TimeZoneSidKey),
    fiscalYearStartMonth: Number(organization.FiscalYearStartMonth),
    integrationUserId,
    adminUserId: integrationUserId,
  };
}

/** Adds fields the schema lacks, typed from the values the fixture gives them. */
function addInferredFields(schema: OrgSchema, object: string, records: Array<Record<string, unknown>>): void {
  const names = new Set(records.flatMap((record) => Object.keys(record)));
  for (const name of names) {
    if (name === 'attributes' || schema.field(object, name)) continue;
    const values = records.map((record) => record[name]).filter((v) => v !== null && v !== undefined);
    schema.addField(object, inferField(schema, name, values));
  }
}

function inferField(schema: OrgSchema, name: string, values: unknown[]): FieldDef {
  if (values.length > 0 && values.every((v) => typeof v === 'boolean')) return field(name, 'boolean');
  if (values.length > 0 && values.every((v) => typeof v === 'number')) {
    const scale = Math.max(0, ...values.map((v) => (String(v).split('.')[1] ?? '').length));
    return number(name, 'double', 18, Math.min(scale, 8));
  }
  const strings = values.map(String);
  if (strings.length > 0 && strings.every((v) => isDate(v))) return field(name, 'date');
  if (strings.length > 0 && strings.every((v) => normalizeDateTime(v) !== null))
    return field(name, 'datetime');
  const targets = new Set(
    strings.map((v) => (toCaseSafeId(v) ? schema.objectsWithPrefix(v.slice(0, 3))[0]?.name : undefined)),
  );
  if (strings.length > 0 && !targets.has(undefined) && /(Id|__c)$/.test(name)) {
    const relationshipName = name.endsWith('__c') ? name.replace(/__c$/, '__r') : name.replace(/Id$/, '');
    return reference(name, [...targets] as string[], relationshipName);
  }
  const longest = Math.max(0, ...strings.map((v) => v.length));
  return longest > 255 ? field(name, 'textarea') : text(name, 255);
}
