import { describe, expect, it } from 'vitest';
import { exchangeRate, homeAmount, rateOn } from '../../../connectors/hubspot/emulator/store/currency.ts';

describe('portal currency arithmetic', () => {
  it('converts to the home currency as round(amount / rate, 2), half away from zero, exactly', () => {
    expect(homeAmount('12345.67', 0.923456)).toBe('13368.99');
    expect(homeAmount('0.01', 2)).toBe('0.01'); // 0.005 rounds up
    expect(homeAmount('-0.01', 2)).toBe('-0.01');
    expect(homeAmount('100', 1)).toBe('100.00');
    expect(homeAmount('lots', 1)).toBeNull();
  });

  it('inverts rates at PostgreSQL numeric division precision (1 / rate)', () => {
    expect(exchangeRate(0.923456)).toBe('1.0828886270704831');
    expect(exchangeRate(1)).toBe('1.00000000000000000000');
    expect(exchangeRate(1.2345)).toBe('0.81004455245038477116');
  });

  it('takes the dated rate covering the date, else the static one', () => {
    const currencies = {
      home: 'USD',
      rates: new Map([['EUR', 0.9]]),
      dated: [{ code: 'EUR', startDate: '2026-01-01', nextStartDate: '2026-02-01', rate: 0.8 }],
    };
    expect(rateOn(currencies, 'EUR', '2026-01-31')).toBe(0.8);
    expect(rateOn(currencies, 'EUR', '2026-02-01')).toBe(0.9);
    expect(rateOn(currencies, 'GBP', '2026-01-15')).toBeNull();
  });
});
