import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/emulator.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const CLI = path.resolve('src/cli.ts');

describe('attain run / sync / doctor / writeback on the command line', () => {
  let emulator: SalesforceEmulator;
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

  /** Runs the CLI asynchronously (the emulator serves from this process meanwhile). */
  const attain = (...args: string[]) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ seed: 4, scale: 2 });
    database = await createTestDatabase();
    const dir = mkdtempSync(path.join(tmpdir(), 'attain-cli-sf-'));
    const config = path.join(dir, 'attain.config.yaml');
    writeFileSync(
      config,
      `org:
  timezone: America/New_York
connections:
  - id: acme
    provider: salesforce
    salesforce:
      flow: client_credentials
      loginUrl: ${emulator.url}
      clientId: ${emulator.credentials.clientId}
      clientSecret: \${SF_CLIENT_SECRET}
    sync:
      lagSeconds: 0
    mapping:
      meetingOutcomeField: Meeting_Outcome__c
`,
    );
    env = {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      ATTAIN_CONFIG: config,
      SF_CLIENT_SECRET: emulator.credentials.clientSecret,
      LOG_LEVEL: 'error',
    };
  });

  afterAll(async () => {
    await database.drop();
    await emulator.stop();
  });

  it('doctor reports every check and exits 0 on a healthy org', async () => {
    const { code, stdout } = await attain('doctor');
    expect(code).toBe(0);
    expect(stdout).toContain('✓ auth: logged in with the client_credentials flow');
    expect(stdout).toMatch(/✓ object Opportunity: readable, \d+ records/);
    expect(stdout).toContain('✓ writeback: 9 User fields exist and are updateable');
    expect(stdout).toMatch(/✓ API budget: \d+ of 15,000 daily API requests used/);
    expect(stdout).not.toContain(emulator.credentials.clientSecret);
  });

  it('run backfills, computes and writes back; a second run is incremental and writes nothing', async () => {
    const first = await attain('run');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/run acme: succeeded/);
    expect(first.stdout).toMatch(/sync\s+succeeded.*\(backfill\)/);
    expect(first.stdout).toMatch(/writeback\s+succeeded.*records updated in 1 calls/);

    const second = await attain('run', '--json');
    expect(second.code).toBe(0);
    const run = JSON.parse(second.stdout) as {
      status: string;
      result: {
        sync: { result: { objects: Array<{ mode: string }> } };
        writeback: { counts: { writeCalls: number } };
      };
    };
    expect(run.status).toBe('succeeded');
    expect(run.result.sync.result.objects.every((o) => o.mode === 'incremental')).toBe(true);
    expect(run.result.writeback.counts.writeCalls).toBe(0);
  });

  it('writeback --dry-run prints the plan and sends nothing', async () => {
    emulator.store.requestLog.reset();
    const { code, stdout } = await attain('writeback', '--dry-run');
    expect(code).toBe(0);
    expect(stdout).toMatch(/0 fields to change on 0 of \d+ records, \d+ unchanged/);
    expect(stdout).toContain('dry run: nothing sent');
    expect(emulator.store.requestLog.entries().filter((e) => e.method === 'PATCH')).toEqual([]);
  });

  it('doctor names a writeback field the integration user cannot update, and exits 1', async () => {
    emulator.store.setFieldUpdateable('User', 'Attain_Win_Rate__c', false);
    const { code, stdout } = await attain('doctor');
    expect(code).toBe(1);
    expect(stdout).toContain(
      '✗ writeback field: connections[0].writeback: field User.Attain_Win_Rate__c is not updateable by the integration user',
    );
    const sync = await attain('sync');
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/sync acme: succeeded/);
    emulator.store.setFieldUpdateable('User', 'Attain_Win_Rate__c', true);
  });

  it('names an unknown connection and a missing config with exit code 2', async () => {
    expect((await attain('sync', '--connection', 'nope')).stderr).toContain(
      'no connection "nope" in the config (configured: acme)',
    );
    const missing = await attain('run', '--config', '/nonexistent/attain.config.yaml');
    expect(missing.code).toBe(2);
  });
});
