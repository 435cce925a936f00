import { describe, expect, it } from 'vitest';
import { createFormatter, MISSING } from '../../src/digest/format.ts';

describe('digest formatting', () => {
  const us = createFormatter({ locale: 'en-US', currency: 'USD' });

  it('formats money, shares, multiples, counts and days for the org locale', () => {
    expect(us.value('money', 1_234_567.4)).toBe('$1,234,567');
    expect(us.value('percent', 0.314)).toBe('31%');
    expect(us.value('percentPrecise', 0.1263)).toBe('12.6%');
    expect(us.value('ratio', 1.4167)).toBe('1.4×');
    expect(us.value('count', 1234)).toBe('1,234');
    expect(us.value('days', 70.56)).toBe('71 days');
    expect(us.value('days', 1)).toBe('1 day');
  });

  it('shows an unknown value (a ratio over zero) as a dash, never as 0', () => {
    expect(us.value('percent', null)).toBe(MISSING);
    expect(us.value('ratio', undefined)).toBe(MISSING);
    expect(us.value('money', Number.NaN)).toBe(MISSING);
  });

  it('signs changes, and gives a change in a share in percentage points', () => {
    expect(us.delta('money', 30_000)).toBe('+$30,000');
    expect(us.delta('money', -15_000)).toBe('-$15,000');
    expect(us.delta('percent', 0.4855 - 0.442)).toBe('+4.3 pts');
    expect(us.delta('ratio', -0.25)).toBe('-0.3×');
    expect(us.delta('count', 7)).toBe('+7');
    expect(us.delta('days', -3.2)).toBe('-3 days');
    expect(us.delta('count', 0)).toBe('0');
  });

  it('formats dates without shifting them, and instants in a given zone', () => {
    expect(us.date('2026-08-14')).toBe('Aug 14, 2026');
    expect(us.date('2026-01-01')).toBe('Jan 1, 2026');
    expect(us.dateTime(new Date('2026-08-17T12:00:00Z'), 'America/New_York')).toBe(
      'Aug 17, 2026, 8:00 AM EDT',
    );
  });

  it('follows another locale and currency', () => {
    const de = createFormatter({ locale: 'de-DE', currency: 'EUR' });
    // German puts a no-break space before € and %.
    expect(de.value('money', 1_234_567)).toBe('1.234.567\u00a0€');
    expect(de.value('percentPrecise', 0.126)).toBe('12,6\u00a0%');
    expect(de.value('days', 71)).toBe('71 Tage');
    expect(de.date('2026-08-14')).toBe('14.08.2026');
    expect(de.delta('money', 500)).toBe('+500\u00a0€');
  });
});
