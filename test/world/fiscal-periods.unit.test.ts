import { describe, expect, it } from 'vitest';
import { fiscalPeriods } from '../../connectors/world/generate.ts';

describe('fiscalPeriods', () => {
  it('names a February-start fiscal year by the calendar year it ends in', () => {
    const periods = fiscalPeriods({ fiscalYearStartMonth: 2 }, '2025-02-01', '2026-01-31');
    const year = periods.filter((period) => period.type === 'year');
    expect(year).toEqual([
      {
        type: 'year',
        startDate: '2025-02-01',
        endDate: '2026-01-31',
        fiscalYear: 2026,
        quarter: null,
        number: 1,
        label: 'FY2026',
      },
    ]);
    const quarters = periods.filter((period) => period.type === 'quarter');
    expect(quarters.map((q) => [q.label, q.startDate, q.endDate])).toEqual([
      ['FY2026 Q1', '2025-02-01', '2025-04-30'],
      ['FY2026 Q2', '2025-05-01', '2025-07-31'],
      ['FY2026 Q3', '2025-08-01', '2025-10-31'],
      ['FY2026 Q4', '2025-11-01', '2026-01-31'],
    ]);
    const months = periods.filter((period) => period.type === 'month');
    expect(months).toHaveLength(12);
    expect(months[0]).toMatchObject({
      startDate: '2025-02-01',
      endDate: '2025-02-28',
      number: 1,
      quarter: 1,
      label: 'FY2026 Feb',
    });
    expect(months[11]).toMatchObject({
      startDate: '2026-01-01',
      endDate: '2026-01-31',
      number: 12,
      quarter: 4,
      label: 'FY2026 Jan',
    });
    // Each year is followed by its quarters, each quarter by its three months.
    expect(periods.slice(0, 6).map((period) => period.type)).toEqual([
      'year',
      'quarter',
      'month',
      'month',
      'month',
      'quarter',
    ]);
  });

  it("uses the start year under 'start' naming", () => {
    const [year] = fiscalPeriods({ fiscalYearStartMonth: 2 }, '2025-06-15', '2025-06-15', 'start');
    expect(year).toMatchObject({ type: 'year', fiscalYear: 2025, label: 'FY2025', startDate: '2025-02-01' });
  });

  it('returns every period overlapping the span, and only those', () => {
    const periods = fiscalPeriods({ fiscalYearStartMonth: 2 }, '2026-01-15', '2026-02-10');
    expect(periods.map((period) => period.label)).toEqual([
      'FY2026',
      'FY2026 Q4',
      'FY2026 Jan',
      'FY2027',
      'FY2027 Q1',
      'FY2027 Feb',
    ]);
  });

  it('handles leap years and a calendar fiscal year', () => {
    const months = fiscalPeriods({ fiscalYearStartMonth: 1 }, '2024-02-01', '2024-02-29').filter(
      (period) => period.type === 'month',
    );
    expect(months).toEqual([
      expect.objectContaining({
        startDate: '2024-02-01',
        endDate: '2024-02-29',
        fiscalYear: 2024,
        number: 2,
      }),
    ]);
  });

  it('rejects malformed or reversed spans', () => {
    expect(() => fiscalPeriods({ fiscalYearStartMonth: 1 }, '2024-2-1', '2024-03-01')).toThrow(RangeError);
    expect(() => fiscalPeriods({ fiscalYearStartMonth: 1 }, '2024-03-01', '2024-02-01')).toThrow(RangeError);
  });
});
