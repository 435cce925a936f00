import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../connectors/hubspot/emulator/emulator.ts';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/emulator.ts';
import { generateWorld } from '../../connectors/world/generate.ts';
import type { World } from '../../connectors/world/types.ts';
import { parseConfig, type Config } from '../../src/config.ts';
import { runPipeline } from '../../src/pipeline.ts';
import { testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { FAST_PORTAL, hubspotConnection } from './support.ts';

const NOW = '2026-03-15T15:20:00Z';
const AS_OF = '2026-03-15';
/** Bookkeeping columns; everything else in a row is a KPI value and must match. */
const NOT_COMPARED = new Set(['connection_id', 'rep_id', 'run_id', 'computed_at']);

type KpiRow = Record<string, unknown> & { scope: string; rep_id: string; email: string | null };

describe('the same world through Salesforce and through HubSpot', () => {
  let world: World;
  let salesforce: SalesforceEmulator;
  let hubspot: HubSpotEmulator;
  let database: TestDatabase;
  let config: Config;

  beforeAll(async () => {
    world = generateWorld({ seed: 20260315, scale: 9, now: NOW });
    salesforce = await startSalesforceEmulator({ world });
    hubspot = await startHubSpotEmulator({ world, ...FAST_PORTAL });
    database = await createTestDatabase();
    config = parseConfig(
      {
        org: { timezone: world.org.timezone, fiscalYearStartMonth: world.org.fiscalYearStartMonth },
        connections: [
          {
            id: 'sf',
            provider: 'salesforce',
            salesforce: {
              flow: 'client_credentials',
              loginUrl: salesforce.url,
              clientId: salesforce.credentials.clientId,
              clientSecret: salesforce.credentials.clientSecret,
            },
            sync: { lagSeconds: 0, retryDelayMs: 10 },
            mapping: { meetingOutcomeField: 'Meeting_Outcome__c' },
            writeback: { enabled: false },
          },
          hubspotConnection(hubspot),
        ],
      },
      'parity config',
      {},
    );
  });

  afterAll(async () => {
    await database.drop();
    await salesforce.stop();
    await hubspot.stop();
  });

  async function kpiRows(connectionId: string): Promise<Map<string, KpiRow>> {
    const { rows } = await sql<KpiRow>`
      SELECT k.*, r.email FROM rep_period_kpis k
      LEFT JOIN reps r ON r.connection_id = k.connection_id AND r.rep_id = k.rep_id
      WHERE k.connection_id = ${connectionId} AND k.as_of = ${AS_OF}`.execute(database.db);
    // Reps are the same people in both CRMs: join by email (the org row and 'unassigned' by id).
    return new Map(
      rows.map((row) => [
        `${row.scope}|${row.email ?? row.rep_id}|${String(row.period_type)}|${String(row.period_start)}`,
        row,
      ]),
    );
  }

  it('yields identical rep_period_kpis, row by row and column by column', async () => {
    for (const connection of config.connections) {
      const run = await runPipeline(testStageContext(database.db, config, { connection }), { asOf: AS_OF });
      expect(run.status, `${connection.id} pipeline`).toBe('succeeded');
    }
    const viaSalesforce = await kpiRows('sf');
    const viaHubSpot = await kpiRows('hs');
    expect(viaSalesforce.size).toBeGreaterThan(300);
    expect([...viaHubSpot.keys()].sort()).toEqual([...viaSalesforce.keys()].sort());
    const differences: string[] = [];
    for (const [key, expected] of viaSalesforce) {
      const actual = viaHubSpot.get(key)!;
      for (const column of Object.keys(expected)) {
        if (NOT_COMPARED.has(column)) continue;
        if (JSON.stringify(actual[column]) !== JSON.stringify(expected[column]))
          differences.push(
            `${key} ${column}: Salesforce ${JSON.stringify(expected[column])}, HubSpot ${JSON.stringify(actual[column])}`,
          );
      }
    }
    expect(differences).toEqual([]);
    // …and the rows say something: every rule that differs between the CRMs is exercised.
    const reps = [...viaSalesforce.values()].filter((row) => row.scope === 'rep');
    const total = (column: string) => reps.reduce((sum, row) => sum + Number(row[column] ?? 0), 0);
    for (const column of [
      'bookings',
      'connected_calls',
      'emails',
      'meetings',
      'referrals_received',
      'leads_converted',
      'proposals_accepted',
      'discount_amount',
      'pipeline',
    ])
      expect(total(column), column).toBeGreaterThan(0);
    expect(reps.some((row) => row.quota !== null && row.pace_status !== null)).toBe(true);
    expect(reps.some((row) => row.rep_id === 'unassigned')).toBe(true);
  });
});
