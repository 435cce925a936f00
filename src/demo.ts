import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startHubSpotEmulator } from '../connectors/hubspot/emulator/emulator.ts';
import { connectorFor } from '../connectors/registry.ts';
import { startSalesforceEmulator } from '../connectors/salesforce/emulator/emulator.ts';
import { generateWorld } from '../connectors/world/generate.ts';
import type { World } from '../connectors/world/types.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { parseConfig, type Config } from './config.ts';
import { renderDigestPreview } from './digest/preview.ts';
import { loadLeaderboard, type Leaderboard } from './kpi/leaderboard.ts';
import type { Logger } from './logger.ts';
import { runPipeline, type PipelineInput, type PipelineResult } from './pipeline.ts';
import { unlimited } from './rate-limit.ts';
import type { StageContext, StageRun } from './stage.ts';

export type DemoProvider = 'salesforce' | 'hubspot';

export interface DemoOptions {
  provider: DemoProvider;
  /** Where the demo keeps its embedded warehouse and output (default ./.attain/demo/<provider>). */
  directory: string;
  seed: number;
  scale: number;
  logger: Logger;
  signal: AbortSignal;
  onStage?: PipelineInput['onStage'];
  onPage?: PipelineInput['onPage'];
}

export interface DemoResult {
  /** False on the first run against this demo org; true when the warehouse already held it. */
  incremental: boolean;
  run: StageRun<PipelineResult>;
  leaderboard: Leaderboard;
  /** The reps' records as the emulated CRM holds them after the run (attain's fields only). */
  repRecords: RepRecord[];
  /** The digest-style HTML summary written for the org. */
  summaryFile: string;
  warehouse: string;
  seconds: number;
}

/** What identifies the demo org: the same seed, scale and world clock give the same records. */
interface DemoWorld {
  seed: number;
  scale: number;
  now: string;
}

export interface RepRecord {
  id: string;
  name: string;
  fields: Record<string, unknown>;
}

/** One emulated CRM, started on a world, and how attain connects to it. */
interface DemoCrm {
  /** The connection entry of the demo config. */
  connection: Record<string, unknown>;
  /** Where the KPIs ended up: the records attain writes to, as the CRM holds them now. */
  repRecords(): RepRecord[];
  stop(): Promise<void>;
}

const CRMS: Record<DemoProvider, (world: World, now: string) => Promise<DemoCrm>> = {
  async salesforce(world, now) {
    const emulator = await startSalesforceEmulator({ world, now });
    return {
      connection: {
        id: 'demo-salesforce',
        provider: 'salesforce',
        salesforce: {
          flow: 'client_credentials',
          loginUrl: emulator.url,
          clientId: emulator.credentials.clientId,
          clientSecret: emulator.credentials.clientSecret,
        },
        // The emulated org records canceled and no-show meetings in a custom picklist.
        mapping: { meetingOutcomeField: 'Meeting_Outcome__c' },
      },
      repRecords: () =>
        emulator.store
          .groundTruth()
          .User!.map((user) => ({
            id: String(user.Id),
            name: String(user.Name),
            fields: Object.fromEntries(Object.entries(user).filter(([field]) => field.startsWith('Attain_'))),
          }))
          .filter((user) => Object.values(user.fields).some((value) => value !== null)),
      stop: () => emulator.stop(),
    };
  },
  async hubspot(world, now) {
    const emulator = await startHubSpotEmulator({ world, now });
    return {
      connection: {
        id: 'demo-hubspot',
        provider: 'hubspot',
        hubspot: { accessToken: emulator.credentials.accessToken, basePath: emulator.url },
      },
      repRecords: () =>
        Object.entries(emulator.store.groundTruth())
          .filter(([type]) => type.includes('scorecard'))
          .flatMap(([, records]) => records as Array<{ id: string; properties: Record<string, unknown> }>)
          .map((record) => ({
            id: record.id,
            name: String(
              record.properties.attain_rep_name ?? record.properties.attain_owner_key ?? record.id,
            ),
            fields: Object.fromEntries(
              Object.entries(record.properties).filter(([field]) => field.startsWith('attain_')),
            ),
          })),
      stop: () => emulator.stop(),
    };
  },
};

/**
 * `attain demo`: an emulated CRM (a generated sales team, as a Salesforce org or HubSpot portal) served in-process, synced
 * into the embedded PGlite warehouse, KPIs computed and written back to the emulated reps'
 * records, and an org digest rendered to HTML. The org is remembered in the demo directory, so a
 * second run is an incremental one against the same data.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = performance.now();
  const world = rememberWorld(options);
  // The CRM's clock is the real one: the world was generated at `world.now` (in the past).
  const crm = await CRMS[options.provider](
    generateWorld({ seed: world.seed, scale: world.scale, now: world.now }),
    new Date().toISOString(),
  );
  const database = await openDatabase({ dataDir: options.directory });
  try {
    await migrateToLatest(database.db);
    const config = demoConfig(crm.connection);
    const connectionId = String(crm.connection.id);
    const ctx: StageContext = {
      db: database.db,
      config,
      connection: config.connections[0]!,
      logger: options.logger,
      signal: options.signal,
      trigger: 'demo',
      parentRunId: null,
      now: () => new Date(),
      rateLimiter: unlimited,
    };
    const incremental =
      (await database.db
        .selectFrom('sync_state')
        .select('object')
        .where('connection_id', '=', connectionId)
        .executeTakeFirst()) !== undefined;
    // What `attain doctor --fix` does on a real portal: create the fields writeback needs.
    await connectorFor(ctx.connection.provider).setUp?.(ctx);
    const run = await runPipeline(ctx, {
      ...(options.onStage ? { onStage: options.onStage } : {}),
      ...(options.onPage ? { onPage: options.onPage } : {}),
    });
    const asOf = run.result.kpis.result.asOf;
    const leaderboard = await loadLeaderboard(database.db, {
      connectionId,
      asOf,
      periodType: 'quarter',
      calendar: config.org,
    });
    const digest = await renderDigestPreview(ctx, {
      schedule: null,
      spec: { recipients: 'org', to: ['you@example.com'] },
    });
    const summaryFile = path.resolve(options.directory, 'summary.html');
    writeFileSync(summaryFile, digest.html);
    const repRecords = crm.repRecords();
    return {
      incremental,
      run,
      leaderboard,
      repRecords,
      summaryFile,
      warehouse: database.location,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await database.close();
    await crm.stop();
  }
}

/**
 * The demo org of this directory: reused when seed and scale match, otherwise a new one (and a
 * fresh warehouse, since the old data belongs to another org).
 */
function rememberWorld(options: DemoOptions): DemoWorld {
  const file = path.join(options.directory, 'world.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as DemoWorld;
    if (saved.seed === options.seed && saved.scale === options.scale) return saved;
    rmSync(options.directory, { recursive: true, force: true });
  }
  mkdirSync(options.directory, { recursive: true });
  // Whole minutes, so the world is the same however often it is regenerated from this file.
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();
  const world: DemoWorld = { seed: options.seed, scale: options.scale, now };
  writeFileSync(file, JSON.stringify(world, null, 2));
  return world;
}

function demoConfig(connection: Record<string, unknown>): Config {
  return parseConfig(
    {
      org: { timezone: 'America/New_York', fiscalYearStartMonth: 1, currency: 'USD', locale: 'en-US' },
      connections: [connection],
    },
    'demo',
    {},
  );
}

/** The config keys a user fills in to point attain at their own CRM (printed at the end). */
export const NEXT_STEPS: Record<DemoProvider, string> = {
  salesforce: `Next: connect your own Salesforce org.
  1. Create a connected app with the client credentials flow (scopes: api, refresh_token) and
     deploy attain's User fields and permission sets:
       sf project deploy start --source-dir connectors/salesforce/metadata/force-app
  2. Put this in attain.config.yaml (secrets stay in the environment):
       org:
         timezone: America/New_York      # your org's time zone
         fiscalYearStartMonth: 1
       connections:
         - id: my-org
           provider: salesforce
           salesforce:
             loginUrl: https://YOUR-DOMAIN.my.salesforce.com
             clientId: \${SF_CLIENT_ID}
             clientSecret: \${SF_CLIENT_SECRET}
  3. export SF_CLIENT_ID=… SF_CLIENT_SECRET=…  (and DATABASE_URL for a PostgreSQL warehouse)
  4. attain doctor   # checks access, fields and API budget
     attain run      # extract → normalize → kpis → writeback`,
  hubspot: `Next: connect your own HubSpot portal.
  1. Create a private app with the scopes listed in the README (CRM objects read; custom objects
     or deals write for writeback).
  2. Put this in attain.config.yaml (the token stays in the environment):
       org:
         timezone: America/New_York      # your portal's time zone
       connections:
         - id: my-portal
           provider: hubspot
           hubspot:
             accessToken: \${HUBSPOT_TOKEN}
  3. export HUBSPOT_TOKEN=…  (and DATABASE_URL for a PostgreSQL warehouse)
  4. attain doctor --fix   # checks access and creates the writeback object and properties
     attain run            # extract → normalize → kpis → writeback`,
};
