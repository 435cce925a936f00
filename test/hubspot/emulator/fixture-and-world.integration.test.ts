import { spawn } from 'node:child_process';
import path from 'node:path';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { startHubSpotEmulator } from '../../../connectors/hubspot/emulator/emulator.ts';
import { FixtureError } from '../../../connectors/hubspot/emulator/fixture-error.ts';
import { generateWorld } from '../../../connectors/world/generate.ts';
import { clientFor } from './client.ts';

type Truth = Array<{
  id: string;
  archived: boolean;
  properties: Record<string, string | null>;
  associations: Record<string, string[]>;
}>;

describe('HubSpot emulator: the rendered world', () => {
  it('renders every live record, owners encoding the reporting tree, close dates and home amounts as the world has them', async () => {
    const world = generateWorld({ seed: 14, scale: 9, now: '2026-03-15T15:20:00Z' });
    const emulator = await startHubSpotEmulator({ world });
    try {
      const { store } = emulator;
      const truth = (object: string) => store.groundTruth(object)[object] as Truth;
      const retainedSince = Date.parse(world.options.now) - 90 * 86_400_000;
      const kept = <T extends { deletedAt: string | null }>(records: T[]) =>
        records.filter(
          (record) => record.deletedAt === null || Date.parse(record.deletedAt) >= retainedSince,
        );
      expect(truth('deals').length).toBe(kept(world.opportunities).length);
      expect(truth('calls').length).toBe(kept(world.calls).length);
      expect(truth('emails').length).toBe(kept(world.emails).length);
      expect(truth('line_items').length).toBe(
        kept(world.opportunityLineItems).length + kept(world.quoteLineItems).length,
      );
      expect(truth('goal_targets').length).toBe(world.quotas.length);

      // owners: one per user (departed ones archived) plus the lead queues; managers are team leads
      const owners = store.owners.all();
      expect(owners.filter((owner) => owner.type === 'QUEUE').length).toBe(world.queues.length);
      const byEmail = new Map(owners.map((owner) => [owner.email, owner]));
      const leadOf = (teamId: string) =>
        owners.find((owner) => owner.teams.some((team) => team.id === teamId && !team.primary));
      for (const user of world.users) {
        const owner = byEmail.get(user.email)!;
        expect(owner.archived).toBe(!user.isActive);
        const main = owner.teams.find((team) => team.primary);
        const manager = main ? leadOf(main.id) : undefined;
        const expected = world.users.find((candidate) => candidate.key === user.managerKey);
        expect(manager?.email, user.email).toBe(expected?.email);
      }

      // the org-local close date survives the UTC closedate; home amounts use the close-date rate
      const deals = new Map(truth('deals').map((deal) => [deal.id, deal]));
      const rate = (code: string, date: string) =>
        world.org.datedRates.find(
          (r) =>
            r.code === code && r.startDate <= date && (r.nextStartDate === null || date < r.nextStartDate),
        )?.rate ?? world.org.currencies.find((c) => c.code === code)!.rate;
      let foreign = 0;
      for (const opportunity of kept(world.opportunities)) {
        const deal = deals.get(String(1_000_000_000 + opportunity.key))!;
        expect(
          DateTime.fromISO(deal.properties.closedate!, { zone: world.org.timezone }).toFormat('yyyy-MM-dd'),
        ).toBe(opportunity.closeDate);
        if (opportunity.amount === null) continue;
        const expected =
          Math.round((opportunity.amount / rate(opportunity.currency, opportunity.closeDate)) * 100) / 100;
        expect(Number(deal.properties.amount_in_home_currency)).toBeCloseTo(expected, 2);
        if (opportunity.currency !== 'USD') foreign++;
      }
      expect(foreign).toBeGreaterThan(0);
      // an accepted quote is signed or marked signed
      for (const quote of kept(world.quotes).filter((q) => q.status === 'accepted')) {
        const rendered = truth('quotes').find((q) => q.id === String(3_000_000_000 + quote.key))!;
        expect(
          rendered.properties.hs_sign_status === 'ESIGN_COMPLETED' ||
            rendered.properties.hs_manually_signed === 'true',
        ).toBe(true);
      }
    } finally {
      await emulator.stop();
    }
  });
});

describe('HubSpot emulator: fixtures and the command line', () => {
  it('loads records, owners and associations in HubSpot’s shape, inferring custom properties', async () => {
    const emulator = await startHubSpotEmulator({
      data: {
        portal: { timezone: 'Europe/Berlin', currencies: [{ code: 'EUR', rate: 0.9 }] },
        owners: [{ id: '501', email: 'ann@example.com', firstName: 'Ann', lastName: 'A', userId: 9001 }],
        deals: [
          {
            id: '1001',
            properties: {
              dealname: 'Big deal',
              amount: '900',
              deal_currency_code: 'EUR',
              pipeline: 'default',
              dealstage: 'closedwon',
              closedate: '2026-01-15T10:00:00Z',
              hubspot_owner_id: '501',
              segment: 'Enterprise',
            },
          },
        ],
        line_items: [
          { id: '2001', properties: { price: '300', quantity: '3' }, associations: { deals: ['1001'] } },
        ],
      },
    });
    try {
      const client = clientFor(emulator);
      const deal = await client.crm.objects.basicApi.getById(
        'deals',
        '1001',
        ['amount_in_home_currency', 'hs_is_closed_won', 'segment'],
        undefined,
        ['line_items'],
      );
      expect(deal.properties).toMatchObject({
        amount_in_home_currency: '1000.00',
        hs_is_closed_won: 'true',
        segment: 'Enterprise',
      });
      expect((deal.associations as Record<string, { results: unknown[] }>)['line items']!.results).toEqual([
        { id: '2001', type: 'deal_to_line_item' },
      ]);
      expect(emulator.store.portal.timezone).toBe('Europe/Berlin');
      expect(emulator.counts).toMatchObject({ owners: 1, deals: 1, line_items: 1 });
    } finally {
      await emulator.stop();
    }
  });

  it('rejects a fixture value that does not fit, naming where', async () => {
    const error = await startHubSpotEmulator({
      data: { deals: [{ properties: { closedate: 'soon' } }] },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FixtureError);
    expect((error as Error).message).toBe(
      'data: deals[0].properties.closedate: "soon" was not a valid datetime.',
    );
  });

  it('runs as `attain emulator hubspot --json` until SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [path.resolve('src/cli.ts'), 'emulator', 'hubspot', '--scale', '1', '--json'],
      {
        env: { PATH: process.env.PATH, LOG_LEVEL: 'error' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    const summary = await new Promise<{ url: string; accessToken: string; provider: string }>(
      (resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          try {
            resolve(JSON.parse(stdout));
          } catch {
            // not a whole JSON document yet
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      },
    );
    expect(summary.provider).toBe('hubspot');
    const response = await fetch(`${summary.url}/crm/v3/objects/deals?limit=1`, {
      headers: { authorization: `Bearer ${summary.accessToken}` },
    });
    expect(response.status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
