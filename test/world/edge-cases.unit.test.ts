import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { generateWorld } from '../../connectors/world/generate.ts';

const NOW = '2026-03-04T15:20:00.000Z';
const YEAR_MS = 365 * 86_400_000;

describe.each([1, 2024, 77_777])('edge cases in a 10-rep world (seed %i)', (seed) => {
  const world = generateWorld({ seed, scale: 10, now: NOW });
  const nowMs = Date.parse(NOW);
  const localDate = (instant: string) =>
    DateTime.fromISO(instant, { zone: world.org.timezone }).toFormat('yyyy-MM-dd');
  const users = new Map(world.users.map((user) => [user.key, user]));
  const liveLineOwners = new Set(
    world.opportunityLineItems.filter((line) => line.deletedAt === null).map((line) => line.opportunityKey),
  );

  it('has soft-deleted records of every kind', () => {
    for (const records of [
      world.leads,
      world.opportunities,
      world.calls,
      world.emails,
      world.meetings,
      world.opportunityLineItems,
      world.quotes,
      world.quoteLineItems,
    ])
      expect(records.some((record) => record.deletedAt !== null)).toBe(true);
    // A line item removed from a deal that lives on.
    const liveOpportunities = new Set(
      world.opportunities.filter((o) => o.deletedAt === null).map((o) => o.key),
    );
    expect(
      world.opportunityLineItems.some((line) => line.deletedAt && liveOpportunities.has(line.opportunityKey)),
    ).toBe(true);
  });

  it('has queue-owned leads and a conversion without an opportunity', () => {
    expect(world.leads.filter((lead) => lead.ownerQueueKey !== null).length).toBeGreaterThan(0);
    expect(
      world.leads.some((lead) => lead.status === 'converted' && lead.convertedOpportunityKey === null),
    ).toBe(true);
    expect(world.leads.some((lead) => lead.convertedOpportunityKey !== null)).toBe(true);
  });

  it('has deals closed before the day they were created, and deals without an amount', () => {
    expect(world.opportunities.some((o) => o.closeDate < localDate(o.createdAt))).toBe(true);
    const amountless = world.opportunities.filter((o) => o.amount === null);
    expect(amountless.length).toBeGreaterThan(0);
    expect(amountless.every((o) => !liveLineOwners.has(o.key))).toBe(true);
    // Deals priced only through a quote (avg_discount falls back to the proposal).
    const quoted = new Set(world.quotes.map((quote) => quote.opportunityKey));
    expect(world.opportunities.some((o) => quoted.has(o.key) && !liveLineOwners.has(o.key))).toBe(true);
  });

  it('has open deals omitted from the forecast', () => {
    expect(
      world.opportunities.some((o) => !o.stage.startsWith('closed') && o.forecastCategory === 'omitted'),
    ).toBe(true);
  });

  it('has an inactive rep who still owns closed deals', () => {
    const inactive = world.users
      .filter((user) => user.role === 'rep' && !user.isActive)
      .map((user) => user.key);
    expect(inactive.length).toBeGreaterThan(0);
    expect(
      world.opportunities.some((o) => inactive.includes(o.ownerUserKey) && o.stage.startsWith('closed')),
    ).toBe(true);
    expect(
      world.opportunities.some(
        (o) => users.get(o.ownerUserKey)?.isActive === false && o.stage === 'closed_won',
      ),
    ).toBe(true);
  });

  it('has deals in EUR and GBP', () => {
    const currencies = new Set(world.opportunities.map((o) => o.currency));
    expect([...currencies].sort()).toEqual(['EUR', 'GBP', 'USD']);
  });

  it('has activities Salesforce would archive (older than 365 days)', () => {
    expect(world.calls.some((call) => Date.parse(call.at) < nowMs - YEAR_MS)).toBe(true);
    expect(world.emails.some((email) => Date.parse(email.sentAt) < nowMs - YEAR_MS)).toBe(true);
    expect(world.meetings.some((meeting) => Date.parse(meeting.startAt) < nowMs - YEAR_MS)).toBe(true);
  });

  it('has activities whose UTC date is not their org-local date', () => {
    const shifted = [
      ...world.calls.map((call) => call.at),
      ...world.emails.map((email) => email.sentAt),
    ].filter((instant) => instant.slice(0, 10) !== localDate(instant));
    expect(shifted.length).toBeGreaterThan(0);
  });

  it('has meetings with invitees, canceled, no-show, rescheduled and upcoming ones', () => {
    expect(world.meetings.some((meeting) => meeting.inviteeUserKeys.length > 0)).toBe(true);
    const outcomes = new Set(world.meetings.map((meeting) => meeting.outcome));
    for (const outcome of ['completed', 'canceled', 'no_show', 'rescheduled', 'scheduled'])
      expect(outcomes).toContain(outcome);
    expect(world.meetings.some((meeting) => Date.parse(meeting.startAt) > nowMs)).toBe(true);
  });

  it('has planned calls both overdue and upcoming', () => {
    const planned = world.calls
      .filter((call) => call.status === 'planned')
      .map((call) => Date.parse(call.at));
    expect(planned.some((at) => at < nowMs)).toBe(true);
    expect(planned.some((at) => at > nowMs)).toBe(true);
  });
});

describe('a single-currency world', () => {
  it('has only USD deals and no dated rates', () => {
    const world = generateWorld({ seed: 1, scale: 3, now: NOW, multiCurrency: false });
    expect(new Set(world.opportunities.map((o) => o.currency))).toEqual(new Set(['USD']));
    expect(world.org.datedRates).toEqual([]);
    expect(world.org.currencies).toEqual([{ code: 'USD', isCorporate: true, rate: 1 }]);
  });
});
