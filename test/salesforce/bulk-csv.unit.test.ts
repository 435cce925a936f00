import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { BulkCsvError } from '../../connectors/salesforce/bulk-csv-error.ts';
import { parseBulkCsv } from '../../connectors/salesforce/bulk-csv.ts';
import type { ObjectInfo } from '../../connectors/salesforce/describe.ts';
import { csvRowToLandingRecord, isRejected } from '../../connectors/salesforce/records.ts';

describe('parseBulkCsv', () => {
  it('reads quoted delimiters, line breaks and doubled quotes, empty values and CRLF', () => {
    const text =
      'Id,Subject,Description,Amount\r\n' +
      '00T1,"Call, then email","line one\nline two",12.5\r\n' +
      '00T2,"He said ""yes""",,\n' +
      '00T3,plain,"",0\n';
    expect(parseBulkCsv(text)).toEqual({
      header: ['Id', 'Subject', 'Description', 'Amount'],
      rows: [
        ['00T1', 'Call, then email', 'line one\nline two', '12.5'],
        ['00T2', 'He said "yes"', '', ''],
        ['00T3', 'plain', '', '0'],
      ],
    });
  });

  it('reads a page without a final line break, and an empty page', () => {
    expect(parseBulkCsv('Id,Name\n001,"Acme"')).toEqual({ header: ['Id', 'Name'], rows: [['001', 'Acme']] });
    expect(parseBulkCsv('Id,Name\n')).toEqual({ header: ['Id', 'Name'], rows: [] });
    expect(parseBulkCsv('')).toEqual({ header: [], rows: [] });
  });

  it('agrees with csv-parse on awkward values', () => {
    const values = ['', 'a', 'a,b', '"', '""', 'x"y', 'multi\nline', 'tail,', ' spaced ', 'é€😀'];
    const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
    const lines = ['A,B,C'];
    for (const a of values)
      for (const b of values) lines.push([quote(a), /[",\n]/.test(b) ? quote(b) : b, 'end'].join(','));
    const text = `${lines.join('\n')}\n`;
    const expected = parse(text, { columns: false }) as string[][];
    const { header, rows } = parseBulkCsv(text);
    expect([header, ...rows]).toEqual(expected);
  });

  it('refuses a page that is not such CSV instead of returning fewer rows', () => {
    expect(() => parseBulkCsv('Id,Name\n001,"Acme\n')).toThrow(BulkCsvError);
    expect(() => parseBulkCsv('Id,Name\n001,"Acme"x\n')).toThrow(/after a quoted field/);
  });
});

describe('csvRowToLandingRecord', () => {
  const info = {
    name: 'Task',
    fields: {
      Id: { type: 'id' },
      IsDeleted: { type: 'boolean' },
      SystemModstamp: { type: 'datetime' },
      CallDurationInSeconds: { type: 'int' },
    },
  } as unknown as ObjectInfo;
  const header = ['Id', 'IsDeleted', 'SystemModstamp', 'CallDurationInSeconds'];

  it('casts by field type, with empty values as null', () => {
    const record = csvRowToLandingRecord(
      header,
      ['00T1', 'false', '2026-03-04T15:20:00.000Z', ''],
      info,
      'SystemModstamp',
    );
    expect(record).toEqual({
      crmId: '00T1',
      modstamp: new Date('2026-03-04T15:20:00.000Z'),
      isDeleted: false,
      data: {
        Id: '00T1',
        IsDeleted: false,
        SystemModstamp: '2026-03-04T15:20:00.000Z',
        CallDurationInSeconds: null,
      },
    });
  });

  it('keeps an impossible datetime as received', () => {
    const record = csvRowToLandingRecord(
      header,
      ['00T1', 'false', '2026-02-30T10:00:00.000Z', '5'],
      info,
      'SystemModstamp',
    );
    expect(isRejected(record) ? null : record.data.SystemModstamp).toBe('2026-02-30T10:00:00.000Z');
  });

  it('rejects a row whose field count differs from the header, naming its id', () => {
    const record = csvRowToLandingRecord(header, ['00T9', 'false'], info, 'SystemModstamp');
    expect(isRejected(record) && record.crmId).toBe('00T9');
    expect(isRejected(record) && record.reason).toMatch(/Task Bulk CSV row has 2 fields, its header 4/);
  });
});
