import { describe, expect, it } from 'vitest';
import { isIsoDate, localDate, periodContaining } from '../../src/kpi/fiscal-calendar.ts';

const february = { fiscalYearStartMonth: 2, fiscalYearNaming: 'end' } as const;
const calendarYear = { fiscalYearStartMonth: 1, fiscalYearNaming: 'end' } as const;

describe('fiscal calendar', () => {
  it('names a fiscal year starting in February by the calendar year it ends in', () => {
    expect(periodContaining('2026-05-20', 'year', february)).toEqual({
      type: 'year',
      start: '2026-02-01',
      end: '2027-01-31',
      label: 'FY2027',
    });
    // January belongs to the fiscal year that started the February before
    expect(periodContaining('2027-01-31', 'year', february).label).toBe('FY2027');
    expect(periodContaining('2026-01-31', 'year', february).label).toBe('FY2026');
  });

  it('names it by the year it starts in when configured', () => {
    expect(periodContaining('2026-05-20', 'year', { ...february, fiscalYearNaming: 'start' }).label).toBe(
      'FY2026',
    );
    expect(periodContaining('2026-05-20', 'quarter', { ...february, fiscalYearNaming: 'start' }).label).toBe(
      'FY2026 Q2',
    );
  });

  it('starts quarter 1 in the first fiscal month', () => {
    expect(periodContaining('2026-02-01', 'quarter', february)).toMatchObject({
      start: '2026-02-01',
      end: '2026-04-30',
      label: 'FY2027 Q1',
    });
    expect(periodContaining('2026-05-20', 'quarter', february)).toMatchObject({
      start: '2026-05-01',
      end: '2026-07-31',
      label: 'FY2027 Q2',
    });
    // Q4 spans the calendar year end
    expect(periodContaining('2027-01-15', 'quarter', february)).toMatchObject({
      start: '2026-11-01',
      end: '2027-01-31',
      label: 'FY2027 Q4',
    });
  });

  it('labels months by their calendar name and year', () => {
    expect(periodContaining('2026-02-28', 'month', february)).toEqual({
      type: 'month',
      start: '2026-02-01',
      end: '2026-02-28',
      label: 'Feb 2026',
    });
    expect(periodContaining('2024-02-29', 'month', calendarYear).end).toBe('2024-02-29');
  });

  it('treats a calendar fiscal year the same under both namings', () => {
    expect(periodContaining('2026-12-31', 'quarter', calendarYear)).toMatchObject({
      start: '2026-10-01',
      end: '2026-12-31',
      label: 'FY2026 Q4',
    });
    expect(periodContaining('2026-12-31', 'year', { ...calendarYear, fiscalYearNaming: 'start' }).label).toBe(
      'FY2026',
    );
  });

  it('takes today in the org time zone, not in UTC', () => {
    const instant = new Date('2026-05-21T06:30:00Z');
    expect(localDate(instant, 'America/Los_Angeles')).toBe('2026-05-20');
    expect(localDate(instant, 'Europe/Berlin')).toBe('2026-05-21');
  });

  it('accepts only real dates written YYYY-MM-DD', () => {
    expect(isIsoDate('2026-02-28')).toBe(true);
    expect(isIsoDate('2026-02-30')).toBe(false);
    expect(isIsoDate('2026-2-28')).toBe(false);
    expect(isIsoDate('2026-02-28T00:00:00Z')).toBe(false);
    expect(() => periodContaining('28.02.2026', 'month', february)).toThrow(/not a 'YYYY-MM-DD' date/);
  });
});
