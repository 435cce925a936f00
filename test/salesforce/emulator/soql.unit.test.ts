import { describe, expect, it } from 'vitest';
import { Clock } from '../../../connectors/emulator-kit/clock.ts';
import { IdAllocator, toCaseSafeId } from '../../../connectors/salesforce/emulator/ids.ts';
import { compileSoql, selectRows } from '../../../connectors/salesforce/emulator/query/run-query.ts';
import type { SalesforceError } from '../../../connectors/salesforce/emulator/salesforce-error.ts';
import { OrgSchema } from '../../../connectors/salesforce/emulator/schema/org-schema.ts';
import { buildObjectDefs } from '../../../connectors/salesforce/emulator/schema/sobject-defs.ts';
import { dateLiteralRange } from '../../../connectors/salesforce/emulator/soql/date-literals.ts';
import { parseSoql } from '../../../connectors/salesforce/emulator/soql/parser.ts';
import { RecordStore } from '../../../connectors/salesforce/emulator/store/record-store.ts';

function failure(run: () => unknown): SalesforceError {
  try {
    run();
  } catch (error) {
    return error as SalesforceError;
  }
  throw new Error('expected a SOQL error');
}

describe('SOQL parser', () => {
  it('parses the supported subset', () => {
    const query = parseSoql(
      "select Id, Owner.Name from Lead where (Status = 'Open' or Status <> 'x') and not IsConverted = true " +
        "and LeadSource IN ('Web', null) AND CreatedDate >= LAST_N_DAYS:30 AND Email LIKE '%@acme.com' " +
        'AND SystemModstamp < 2024-01-01T00:00:00.000+05:30 AND ConvertedDate != 2024-02-29 ' +
        'order by SystemModstamp desc nulls first, Id limit 10',
    );
    expect(query.select).toEqual([
      { kind: 'field', path: { parts: ['Id'], offset: 7 } },
      { kind: 'field', path: { parts: ['Owner', 'Name'], offset: 11 } },
    ]);
    expect(query.from).toEqual({ name: 'Lead', offset: 27 });
    expect(query.where).toMatchObject({
      kind: 'and',
      operands: [
        { kind: 'or', operands: [{ operator: '=' }, { operator: '!=' }] },
        { kind: 'not', operand: { kind: 'compare', value: { kind: 'boolean', value: true } } },
        { kind: 'in', negated: false, values: [{ kind: 'string', value: 'Web' }, { kind: 'null' }] },
        { kind: 'compare', operator: '>=', value: { kind: 'dateLiteral', name: 'LAST_N_DAYS', n: 30 } },
        { kind: 'compare', operator: 'LIKE', value: { kind: 'string', value: '%@acme.com' } },
        {
          kind: 'compare',
          operator: '<',
          value: { kind: 'datetime', ms: Date.parse('2023-12-31T18:30:00Z') },
        },
        { kind: 'compare', operator: '!=', value: { kind: 'date', value: '2024-02-29' } },
      ],
    });
    expect(query.orderBy).toEqual([
      { path: { parts: ['SystemModstamp'], offset: expect.any(Number) }, descending: true, nullsFirst: true },
      { path: { parts: ['Id'], offset: expect.any(Number) }, descending: false, nullsFirst: true },
    ]);
    expect(query.limit).toBe(10);
    expect(parseSoql('SELECT COUNT() FROM Task').select).toEqual([{ kind: 'count', offset: 7 }]);
    expect(parseSoql("SELECT Id FROM Lead WHERE Name = 'O\\'Brien \\\\ x'").where).toMatchObject({
      value: { value: "O'Brien \\ x" },
    });
  });

  it.each([
    ['SELECT Id FRM Lead', 11, 'unexpected token: FRM'],
    ['SELECT FROM Lead', 8, 'unexpected token: FROM'],
    ['SELECT Id FROM Lead WHERE', 26, 'unexpected token: <EOF>'],
    ["SELECT Id FROM Lead WHERE A = 'x' AND B = 'y' OR C = 'z'", 47, 'unexpected token: OR'],
    ['SELECT Id FROM Lead LIMIT ten', 27, 'unexpected token: ten'],
    ['SELECT Id FROM Lead GROUP BY Id', 21, 'unexpected token: GROUP'],
    ['SELECT Id, (SELECT Id FROM Tasks) FROM Lead', 12, 'unexpected token: ('],
    ['SELECT Id FROM Lead WHERE Id IN (SELECT LeadId FROM X)', 34, 'unexpected token: SELECT'],
    ['SELECT Id FROM Lead WHERE CreatedDate = THIS_FORTNIGHT', 41, 'unexpected token: THIS_FORTNIGHT'],
    ['SELECT Id, COUNT() FROM Lead', 12, 'COUNT() must be the only element in the SELECT list.'],
    ['SELECT Id, id FROM Lead', 12, 'duplicate field selected: id'],
    ['', 1, 'SOQL statements cannot be empty or null'],
  ])('words %j like Salesforce (column %i)', (soql, column, detail) => {
    const error = failure(() => parseSoql(soql));
    expect(error.errorCode).toBe('MALFORMED_QUERY');
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      `\n${soql}\n${' '.repeat(column - 1)}^\nERROR at Row:1:Column:${column}\n${detail}`,
    );
  });

  it('reports the row and column of a multi-line statement', () => {
    const error = failure(() => parseSoql('SELECT Id\nFROM Lead\nWHERE = 1'));
    expect(error.message).toBe('\nWHERE = 1\n      ^\nERROR at Row:3:Column:7\nunexpected token: =');
  });
});

describe('SOQL binding and evaluation', () => {
  const schema = new OrgSchema(buildObjectDefs({ quotes: true, forecasting: true, multiCurrency: false }));
  const clock = new Clock(new Date('2026-03-15T12:00:00Z'));
  const store = new RecordStore({
    schema,
    clock,
    ids: new IdAllocator(),
    timezone: 'America/New_York',
    defaultUserId: () => '',
  });
  const user = store.insert('User', {
    LastName: 'Lee',
    FirstName: 'Ann',
    Username: 'ann@x',
    Email: 'ann@x',
    IsActive: true,
  });
  const leads = [
    { LastName: 'A', Company: 'Acme', Email: 'a@acme.com', CreatedDate: '2026-03-14T23:30:00.000+0000' },
    { LastName: 'B', Company: 'Beta', Email: null, CreatedDate: '2026-03-15T05:00:00.000+0000' },
    { LastName: 'C', Company: 'ACME Corp', Email: 'c@x.org', CreatedDate: '2025-12-31T12:00:00.000+0000' },
  ];
  for (const fields of leads) store.insert('Lead', { ...fields, OwnerId: String(user.Id) });
  const env = { schema, store, clock, org: { timezone: 'America/New_York', fiscalYearStartMonth: 2 } };
  const names = (soql: string) => selectRows(compileSoql(soql, env), store, false).map((r) => r.LastName);

  it('compares strings case-insensitively, LIKE with wildcards, nulls as values', () => {
    expect(names("SELECT Id FROM Lead WHERE Company = 'acme'")).toEqual(['A']);
    expect(names("SELECT Id FROM Lead WHERE Company LIKE 'acme%' ORDER BY LastName DESC")).toEqual([
      'C',
      'A',
    ]);
    expect(names("SELECT Id FROM Lead WHERE Company LIKE '_eta'")).toEqual(['B']);
    expect(names('SELECT Id FROM Lead WHERE Email = null')).toEqual(['B']);
    expect(names("SELECT Id FROM Lead WHERE Email != 'a@acme.com' ORDER BY LastName")).toEqual(['B', 'C']);
    expect(names("SELECT Id FROM Lead WHERE Email NOT IN ('a@acme.com', null)")).toEqual(['C']);
    expect(names('SELECT Id FROM Lead ORDER BY Email NULLS LAST, LastName')).toEqual(['A', 'C', 'B']);
    expect(names("SELECT Id FROM Lead WHERE Owner.Name = 'ann lee' AND Owner.IsActive = true")).toHaveLength(
      3,
    );
  });

  it('evaluates date literals in the org time zone and fiscal year', () => {
    // 23:30 UTC on the 14th is still the 14th in New York; 05:00 UTC on the 15th is the 15th, 01:00 local.
    expect(names('SELECT Id FROM Lead WHERE CreatedDate = TODAY')).toEqual(['B']);
    expect(names('SELECT Id FROM Lead WHERE CreatedDate = YESTERDAY')).toEqual(['A']);
    expect(names('SELECT Id FROM Lead WHERE CreatedDate < THIS_YEAR')).toEqual(['C']);
    // Fiscal years start in February: 2025-12-31 lies in the previous fiscal year and quarter (Nov–Jan).
    expect(names('SELECT Id FROM Lead WHERE CreatedDate = THIS_FISCAL_YEAR ORDER BY LastName')).toEqual([
      'A',
      'B',
    ]);
    expect(names('SELECT Id FROM Lead WHERE CreatedDate = THIS_FISCAL_QUARTER ORDER BY LastName')).toEqual([
      'A',
      'B',
    ]);
    expect(names('SELECT Id FROM Lead WHERE CreatedDate = LAST_FISCAL_QUARTER')).toEqual(['C']);
    expect(names('SELECT Id FROM Lead WHERE CreatedDate < THIS_FISCAL_YEAR')).toEqual(['C']);
  });

  it('rejects fields, relationships and literal types the schema does not allow', () => {
    const invalid = (soql: string) => failure(() => compileSoql(soql, env));
    expect(invalid('SELECT Nope FROM Lead')).toMatchObject({ errorCode: 'INVALID_FIELD' });
    expect(invalid('SELECT Owner.Nope FROM Lead').message).toContain(
      "No such column 'Nope' on entity 'Name'.",
    );
    expect(invalid('SELECT Id FROM Lead WHERE CreatedDate > 2024-01-01').message).toContain(
      "value of filter criterion for field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes",
    );
    expect(invalid('SELECT Id FROM Lead WHERE Company = 5').message).toContain(
      "value of filter criterion for field 'Company' must be of type string and should be enclosed in quotes",
    );
    expect(invalid("SELECT Id FROM Lead WHERE Id = 'nope'")).toMatchObject({
      errorCode: 'INVALID_QUERY_FILTER_OPERATOR',
    });
    expect(invalid('SELECT Id FROM Nope')).toMatchObject({ errorCode: 'INVALID_TYPE' });
  });
});

describe('relative date literals', () => {
  const calendar = {
    nowMs: Date.parse('2026-03-15T03:00:00Z'),
    timezone: 'America/Los_Angeles',
    fiscalYearStartMonth: 4,
  };

  it.each([
    ['TODAY', null, '2026-03-14', '2026-03-15'],
    ['LAST_N_DAYS', 3, '2026-03-11', '2026-03-15'],
    ['NEXT_N_DAYS', 2, '2026-03-15', '2026-03-17'],
    ['N_DAYS_AGO', 7, '2026-03-07', '2026-03-08'],
    ['THIS_WEEK', null, '2026-03-08', '2026-03-15'],
    ['LAST_MONTH', null, '2026-02-01', '2026-03-01'],
    ['THIS_QUARTER', null, '2026-01-01', '2026-04-01'],
    ['NEXT_N_QUARTERS', 2, '2026-04-01', '2026-10-01'],
    ['THIS_FISCAL_QUARTER', null, '2026-01-01', '2026-04-01'],
    ['THIS_FISCAL_YEAR', null, '2025-04-01', '2026-04-01'],
    ['LAST_N_FISCAL_YEARS', 2, '2023-04-01', '2025-04-01'],
  ])('%s:%s spans [%s, %s)', (name, n, start, end) => {
    const range = dateLiteralRange(name, n, calendar);
    expect([range.startDate, range.endDate]).toEqual([start, end]);
  });

  it('maps local midnights to UTC instants across a DST change', () => {
    const range = dateLiteralRange('THIS_WEEK', null, calendar);
    expect(range.startInstant).toBe('2026-03-08T08:00:00.000+0000');
    expect(range.endInstant).toBe('2026-03-15T07:00:00.000+0000');
  });
});

describe('18-character ids', () => {
  it('computes the case-safe suffix', () => {
    expect(toCaseSafeId('001D000000IqhSL')).toBe('001D000000IqhSLIAZ');
    expect(toCaseSafeId('001D000000IqhSLIAZ')).toBe('001D000000IqhSLIAZ');
    expect(toCaseSafeId('001d000000iqhslIAZ')).toBeNull();
    expect(toCaseSafeId('not an id')).toBeNull();
    const ids = new IdAllocator();
    const first = ids.allocate('00Q');
    ids.reserve('00Q5g00000000zzAAA'.slice(0, 15) + 'AAA');
    expect(first).toMatch(/^00Q5g0{9}1[A-Z0-5]{3}$/);
    expect(toCaseSafeId(ids.allocate('00Q').slice(0, 15))).toMatch(/^00Q/);
  });
});
