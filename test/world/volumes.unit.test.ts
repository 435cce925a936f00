import { describe, expect, it } from 'vitest';
import { generateWorld } from '../../connectors/world/generate.ts';

const SCALE = 40;
const world = generateWorld({ seed: 31, scale: SCALE, now: '2026-03-04T15:20:00.000Z' });
const live = <T extends { deletedAt: string | null }>(records: T[]) =>
  records.filter((record) => record.deletedAt === null);
const share = <T>(records: T[], predicate: (record: T) => boolean) =>
  records.filter(predicate).length / records.length;

describe('world volumes and rates', () => {
  it('has per-rep volumes of a real sales team', () => {
    const perRep = (records: unknown[]) => records.length / SCALE;
    expect(perRep(world.leads)).toBeGreaterThan(35);
    expect(perRep(world.leads)).toBeLessThan(65);
    expect(perRep(world.calls)).toBeGreaterThan(120);
    expect(perRep(world.calls)).toBeLessThan(200);
    expect(perRep(world.emails)).toBeGreaterThan(100);
    expect(perRep(world.emails)).toBeLessThan(160);
    expect(perRep(world.meetings)).toBeGreaterThan(45);
    expect(perRep(world.meetings)).toBeLessThan(75);
    expect(perRep(world.opportunities)).toBeGreaterThan(38);
    expect(perRep(world.opportunities)).toBeLessThan(58);
    const total = [
      world.leads,
      world.calls,
      world.emails,
      world.meetings,
      world.opportunities,
      world.opportunityLineItems,
      world.quotes,
      world.quoteLineItems,
      world.quotas,
    ].reduce((sum, records) => sum + records.length, 0);
    expect(total / SCALE).toBeGreaterThan(500);
    expect(total / SCALE).toBeLessThan(700);
  });

  it('has realistic conversion, connect, win and attachment rates', () => {
    const leads = live(world.leads);
    expect(share(leads, (lead) => lead.status === 'converted')).toBeGreaterThan(0.2);
    expect(share(leads, (lead) => lead.status === 'converted')).toBeLessThan(0.32);
    expect(share(leads, (lead) => lead.ownerQueueKey !== null)).toBeGreaterThan(0.01);
    expect(share(leads, (lead) => lead.ownerQueueKey !== null)).toBeLessThan(0.06);
    expect(share(leads, (lead) => lead.source?.endsWith('referral') ?? false)).toBeGreaterThan(0.1);

    const completed = live(world.calls).filter((call) => call.status === 'completed');
    expect(share(completed, (call) => call.outcome === 'connected')).toBeGreaterThan(0.25);
    expect(share(completed, (call) => call.outcome === 'connected')).toBeLessThan(0.4);
    expect(share(world.calls, (call) => call.status === 'planned')).toBeLessThan(0.05);
    expect(share(world.emails, (email) => email.direction === 'outbound')).toBeGreaterThan(0.8);
    const invited = share(world.meetings, (meeting) => meeting.inviteeUserKeys.length > 0);
    expect(invited).toBeGreaterThan(0.1);
    expect(invited).toBeLessThan(0.22);

    const opportunities = live(world.opportunities);
    const won = opportunities.filter((o) => o.stage === 'closed_won').length;
    const lost = opportunities.filter((o) => o.stage === 'closed_lost').length;
    expect(won / (won + lost)).toBeGreaterThan(0.25);
    expect(won / (won + lost)).toBeLessThan(0.35);
    const withLines = new Set(world.opportunityLineItems.map((line) => line.opportunityKey));
    const withQuotes = new Set(world.quotes.map((quote) => quote.opportunityKey));
    expect(share(world.opportunities, (o) => withLines.has(o.key))).toBeGreaterThan(0.5);
    expect(share(world.opportunities, (o) => withLines.has(o.key))).toBeLessThan(0.7);
    expect(share(world.opportunities, (o) => withQuotes.has(o.key))).toBeGreaterThan(0.3);
    expect(share(world.opportunities, (o) => withQuotes.has(o.key))).toBeLessThan(0.55);
    expect(share(world.opportunityLineItems, (line) => line.discountPercent !== null)).toBeGreaterThan(0.05);
  });

  it('has deal sizes and cycles in range', () => {
    const amounts = world.opportunities
      .flatMap((o) => (o.amount === null ? [] : [o.amount]))
      .sort((a, b) => a - b);
    const median = amounts[Math.floor(amounts.length / 2)] ?? 0;
    expect(median).toBeGreaterThan(20_000);
    expect(median).toBeLessThan(120_000);
    const cycles = world.opportunities
      .filter((o) => o.stage === 'closed_won')
      .map((o) => (Date.parse(o.closeDate) - Date.parse(o.createdAt.slice(0, 10))) / 86_400_000)
      .sort((a, b) => a - b);
    const medianCycle = cycles[Math.floor(cycles.length / 2)] ?? 0;
    expect(medianCycle).toBeGreaterThan(40);
    expect(medianCycle).toBeLessThan(120);
    const open = world.opportunities.filter((o) => !o.stage.startsWith('closed'));
    expect(open.length / SCALE).toBeGreaterThan(1);
  });

  it('gives each rep a few departures and either monthly or quarterly quotas', () => {
    const reps = world.users.filter((user) => user.role === 'rep');
    const departed = reps.filter((rep) => !rep.isActive).length;
    expect(departed).toBeGreaterThanOrEqual(1);
    expect(departed / SCALE).toBeLessThan(0.15);
    const types = new Set(world.quotas.map((quota) => quota.periodType));
    expect(types).toEqual(new Set(['month', 'quarter']));
  });
});
