import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/emulator.ts';
import { differencesFromGroundTruth } from '../support/salesforce.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const CLI = path.resolve('src/cli.ts');

/** Runs `attain sync` as its own process; resolves with its exit code, or 'killed'. */
function runSync(env: NodeJS.ProcessEnv, killAfterMs?: number): Promise<number | 'killed'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'sync', '--json'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve(0);
      else reject(new Error(`attain sync exited ${code}: ${stderr}`));
    });
  });
}

describe('a backfill killed with SIGKILL at random points', () => {
  let emulator: SalesforceEmulator;
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    // Slow enough that a backfill spans a couple of seconds of pages, REST and Bulk alike.
    emulator = await startSalesforceEmulator({ seed: 9, scale: 8, queryPageSize: 200, latencyMs: 60 });
    database = await createTestDatabase();
    const dir = mkdtempSync(path.join(tmpdir(), 'attain-kill-'));
    const config = path.join(dir, 'attain.config.yaml');
    writeFileSync(
      config,
      [
        'org: { timezone: America/New_York }',
        'connections:',
        '  - id: sf',
        '    provider: salesforce',
        `    salesforce: { flow: client_credentials, loginUrl: '${emulator.url}', clientId: ${emulator.credentials.clientId}, clientSecret: '\${SF_SECRET}' }`,
        '    sync: { lagSeconds: 0, queryBatchSize: 200, bulkThreshold: 1000, bulkPageSize: 1000 }',
        '    mapping: { meetingOutcomeField: Meeting_Outcome__c }',
      ].join('\n'),
    );
    env = {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      ATTAIN_CONFIG: config,
      SF_SECRET: emulator.credentials.clientSecret,
      LOG_LEVEL: 'warn',
    };
  });

  afterAll(async () => {
    await database.drop();
    await emulator.stop();
  });

  it('resumes from its last stored page with nothing missing and nothing duplicated', async () => {
    // A seeded sequence of kill points, so a failure can be replayed.
    let seed = 20261122;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let kills = 0;
    for (let attempt = 0; attempt < 6 && kills < 4; attempt++) {
      const outcome = await runSync(env, 400 + Math.floor(random() * 1600));
      if (outcome === 'killed') kills += 1;
      else break;
    }
    expect(kills).toBeGreaterThanOrEqual(2);
    const progress = await sql<{ n: number }>`SELECT count(*)::int AS n FROM crm_records`.execute(
      database.db,
    );
    expect(progress.rows[0]!.n).toBeGreaterThan(0);

    expect(await runSync(env)).toBe(0);
    expect(await differencesFromGroundTruth(database.db, emulator, 'sf')).toEqual([]);
    // Every canonical row exists once per CRM record, whatever the interruptions.
    const counts = await sql<{ landed: number; canonical: number }>`
      SELECT (SELECT count(*) FROM crm_records WHERE object = 'Opportunity')::int AS landed,
             (SELECT count(*) FROM opportunities)::int AS canonical`.execute(database.db);
    expect(counts.rows[0]!.canonical).toBe(counts.rows[0]!.landed);
    const runs = await sql<{ stage: string; status: string; n: number }>`
      SELECT stage, status, count(*)::int AS n FROM runs GROUP BY 1, 2 ORDER BY 1, 2`.execute(database.db);
    // Every kill left exactly one run 'running' in the audit trail (sync or normalize, wherever
    // it struck): honest about what happened. The final pass succeeded.
    const abandoned = runs.rows
      .filter((row) => row.status === 'running')
      .reduce((total, row) => total + row.n, 0);
    expect(abandoned).toBe(kills);
    expect(runs.rows.every((row) => row.status === 'running' || row.status === 'succeeded')).toBe(true);
  });
});
