import { describe, expect, it } from 'vitest';
import { slotFor } from '../../src/digest/slot.ts';

const weekly = { cron: '0 8 * * 1', timezone: 'America/New_York' };

describe('slotFor', () => {
  it('is the latest tick at or before now, in the schedule’s time zone', () => {
    // Wednesday Aug 12, 2026: the slot is Monday Aug 10, 08:00 EDT.
    expect(slotFor(weekly, new Date('2026-08-12T15:00:00Z'))).toEqual(new Date('2026-08-10T12:00:00Z'));
    expect(slotFor(weekly, new Date('2026-08-10T12:00:00Z'))).toEqual(new Date('2026-08-10T12:00:00Z'));
    expect(slotFor(weekly, new Date('2026-08-10T11:59:59Z'))).toEqual(new Date('2026-08-03T12:00:00Z'));
    // Same cron in winter (EST, UTC−5).
    expect(slotFor(weekly, new Date('2026-12-09T00:00:00Z'))).toEqual(new Date('2026-12-07T13:00:00Z'));
    expect(slotFor({ ...weekly, timezone: 'Asia/Kolkata' }, new Date('2026-08-12T15:00:00Z'))).toEqual(
      new Date('2026-08-10T02:30:00Z'),
    );
  });

  it('maps every instant of a slot to the same slot (callers may pass any time within it)', () => {
    const slot = slotFor(weekly, new Date('2026-08-12T15:00:00Z'));
    expect(slotFor(weekly, slot)).toEqual(slot);
    expect(slotFor(weekly, new Date(slot.getTime() + 1234))).toEqual(slot);
  });

  it('never picks a local time the DST change skipped, as node-cron never fires then', () => {
    // 02:30 does not exist in New York on Mar 8, 2026: the last 02:30 was the day before (EST).
    const daily = { cron: '30 2 * * *', timezone: 'America/New_York' };
    expect(slotFor(daily, new Date('2026-03-08T12:00:00Z'))).toEqual(new Date('2026-03-07T07:30:00Z'));
    expect(slotFor(daily, new Date('2026-03-09T12:00:00Z'))).toEqual(new Date('2026-03-09T06:30:00Z'));
  });

  it('follows node-cron’s day rules: last day of month, nth weekday, seconds, sparse dates', () => {
    expect(
      slotFor({ cron: '0 8 L * *', timezone: 'Europe/Berlin' }, new Date('2026-03-15T12:00:00Z')),
    ).toEqual(new Date('2026-02-28T07:00:00Z'));
    // First Monday of the month.
    expect(slotFor({ cron: '0 9 * * 1#1', timezone: 'UTC' }, new Date('2026-08-20T00:00:00Z'))).toEqual(
      new Date('2026-08-03T09:00:00Z'),
    );
    expect(
      slotFor({ cron: '*/15 * * * * *', timezone: 'UTC' }, new Date('2026-08-20T10:00:22.500Z')),
    ).toEqual(new Date('2026-08-20T10:00:15Z'));
    expect(slotFor({ cron: '0 0 29 2 *', timezone: 'UTC' }, new Date('2027-03-15T12:00:00Z'))).toEqual(
      new Date('2024-02-29T00:00:00Z'),
    );
  });
});
