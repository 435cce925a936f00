import { describe, expect, it } from 'vitest';
import { parseQuotaFile, type RepDirectory } from '../../src/kpi/quota-file.ts';

const reps: RepDirectory = {
  ids: new Set(['r-alice', 'r-bob', 'r-pat1', 'r-pat2']),
  byEmail: new Map([
    ['alice@acme.test', ['r-alice']],
    ['pat@acme.test', ['r-pat1', 'r-pat2']],
  ]),
};
const calendar = { fiscalYearStartMonth: 2, fiscalYearNaming: 'end' } as const;

describe('quota file', () => {
  it('reads reps by id or email, period types with quarter as the default, and derives the period end', () => {
    const { rows, problems } = parseQuotaFile(
      [
        'Rep,Period_Start,Amount,Period_Type',
        'ALICE@acme.test,2026-05-01,30000,',
        'r-bob,2026-02-01,120000.50,year',
        '',
        'r-bob,2026-06-01,10000,month',
      ].join('\n'),
      reps,
      calendar,
    );
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        repId: 'r-alice',
        periodType: 'quarter',
        periodStart: '2026-05-01',
        periodEnd: '2026-07-31',
        amount: 30000,
      },
      {
        line: 3,
        repId: 'r-bob',
        periodType: 'year',
        periodStart: '2026-02-01',
        periodEnd: '2027-01-31',
        amount: 120000.5,
      },
      {
        line: 5,
        repId: 'r-bob',
        periodType: 'month',
        periodStart: '2026-06-01',
        periodEnd: '2026-06-30',
        amount: 10000,
      },
    ]);
  });

  it('reports every bad line with its line number', () => {
    const { problems } = parseQuotaFile(
      [
        'rep,period_start,amount,period_type',
        ',2026-05-01,1,',
        'nobody@acme.test,2026-05-01,1,',
        'pat@acme.test,2026-05-01,1,',
        'r-alice,2026-06-01,1,quarter',
        'r-alice,2026-05-01,1,week',
        'r-alice,01/05/2026,1,',
        'r-alice,2026-05-01,"1,000",',
        'r-alice,2026-05-01,-5,',
        'r-bob,2026-05-01,100,',
        'r-bob,2026-05-01,200,quarter',
      ].join('\n'),
      reps,
      calendar,
    );
    expect(problems).toEqual([
      { line: 2, message: 'rep is empty (expected a rep id or email)' },
      { line: 3, message: 'no rep with id or email "nobody@acme.test"' },
      { line: 4, message: 'email "pat@acme.test" belongs to several reps (r-pat1, r-pat2): use the rep id' },
      {
        line: 5,
        message:
          'period_start 2026-06-01 is not the first day of a fiscal quarter (FY2027 Q2 starts 2026-05-01)',
      },
      { line: 6, message: 'period_type "week" is not one of month, quarter, year' },
      { line: 7, message: 'period_start "01/05/2026" is not a date written YYYY-MM-DD' },
      {
        line: 8,
        message: 'amount "1,000" is not a non-negative number (digits and an optional decimal point)',
      },
      { line: 9, message: 'amount "-5" is not a non-negative number (digits and an optional decimal point)' },
      { line: 11, message: 'duplicate of line 10 (same rep, period_type and period_start)' },
    ]);
  });

  it('checks the header and the CSV itself', () => {
    expect(parseQuotaFile('rep,amount,owner\nr-bob,1,x\n', reps, calendar).problems).toEqual([
      { line: 1, message: 'missing column "period_start"' },
      { line: 1, message: 'unknown column "owner"' },
    ]);
    expect(parseQuotaFile('', reps, calendar).problems).toEqual([
      { line: 1, message: 'the file is empty (expected a header row)' },
    ]);
    const { problems } = parseQuotaFile('rep,period_start,amount\nr-bob,"2026-05-01,1\n', reps, calendar);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/^not valid CSV: Quote Not Closed/);
  });
});
