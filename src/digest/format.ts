/**
 * Every number and date a digest shows goes through here, formatted with Intl for the org's
 * locale and currency (org.locale, org.currency), so the email, the text part and Slack agree.
 */

/** How a figure is shown: money, a share (0–1), a share that needs a decimal, a multiple, a count, days. */
export type FigureKind = 'money' | 'percent' | 'percentPrecise' | 'ratio' | 'count' | 'days';

export const MISSING = '—';

export interface DigestFormatter {
  readonly locale: string;
  readonly currency: string;
  /** The figure, or an em dash when it is unknown (a ratio with a zero denominator). */
  value(kind: FigureKind, value: number | null | undefined): string;
  /** A signed change: "+$12,000", "−4 pts", "+0.3×", "+12". */
  delta(kind: FigureKind, change: number): string;
  /** A 'YYYY-MM-DD' date, e.g. "Aug 14, 2026". */
  date(isoDate: string): string;
  /** An instant in a time zone, e.g. "Aug 10, 2026, 8:00 AM EDT". */
  dateTime(instant: Date, timeZone: string): string;
}

export function createFormatter(org: { locale: string; currency: string }): DigestFormatter {
  const { locale, currency } = org;
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 0 });
  const moneyDelta = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    maximumFractionDigits: 0,
    signDisplay: 'exceptZero',
  });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const percentPrecise = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const oneDecimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const oneDecimalDelta = new Intl.NumberFormat(locale, {
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  });
  const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const countDelta = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
  const days = new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: 'day',
    unitDisplay: 'long',
    maximumFractionDigits: 0,
  });
  const daysDelta = new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: 'day',
    unitDisplay: 'long',
    maximumFractionDigits: 0,
    signDisplay: 'exceptZero',
  });
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

  return {
    locale,
    currency,
    value(kind, value) {
      if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
      switch (kind) {
        case 'money':
          return money.format(value);
        case 'percent':
          return percent.format(value);
        case 'percentPrecise':
          return percentPrecise.format(value);
        case 'ratio':
          return `${oneDecimal.format(value)}×`;
        case 'count':
          return count.format(value);
        case 'days':
          return days.format(value);
      }
    },
    delta(kind, change) {
      switch (kind) {
        case 'money':
          return moneyDelta.format(change);
        case 'percent':
        case 'percentPrecise':
          // A change in a share is a change in percentage points, not a percent of a percent.
          return `${oneDecimalDelta.format(change * 100)} pts`;
        case 'ratio':
          return `${oneDecimalDelta.format(change)}×`;
        case 'count':
          return countDelta.format(change);
        case 'days':
          return daysDelta.format(change);
      }
    },
    date(isoDate) {
      const [year, month, day] = isoDate.split('-').map(Number);
      return dateFormat.format(new Date(Date.UTC(year!, month! - 1, day!)));
    },
    dateTime(instant, timeZone) {
      let format = dateTimeFormats.get(timeZone);
      if (!format) {
        format = new Intl.DateTimeFormat(locale, {
          year: 'numeric',
          month: 'short',
          day: 'numeric',
          hour: 'numeric',
          minute: '2-digit',
          timeZone,
          timeZoneName: 'short',
        });
        dateTimeFormats.set(timeZone, format);
      }
      return format.format(instant);
    },
  };
}
