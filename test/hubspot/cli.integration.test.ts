import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../connectors/hubspot/emulator/emulator.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { FAST_PORTAL } from './support.ts';

const CLI = path.resolve('src/cli.ts');

describe('attain doctor --fix / run on a HubSpot connection', () => {
  let emulator: HubSpotEmulator;
  let database: TestDatabase;
  let env: NodeJS.ProcessEnv;

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
    emulator = await startHubSpotEmulator({
      seed: 15,
      scale: 2,
      now: '2026-03-15T15:20:00Z',
      ...FAST_PORTAL,
    });
    database = await createTestDatabase();
    const dir = mkdtempSync(path.join(tmpdir(), 'attain-cli-hs-'));
    const config = path.join(dir, 'attain.config.yaml');
    writeFileSync(
      config,
      `org:
  timezone: America/New_York
connections:
  - id: portal
    provider: hubspot
    hubspot:
      accessToken: \${HUBSPOT_TOKEN}
      basePath: ${emulator.url}
    sync:
      lagSeconds: 0
      requestsPer10s: 1000
      searchPerSecond: 100
`,
    );
    env = {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      ATTAIN_CONFIG: config,
      HUBSPOT_TOKEN: emulator.credentials.accessToken,
      LOG_LEVEL: 'error',
    };
  });

  afterAll(async () => {
    await database.drop();
    await emulator.stop();
  });

  it('doctor names the missing writeback properties; --fix creates them, once', async () => {
    const before = await attain('doctor');
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('✓ auth: token accepted by');
    expect(before.stdout).toMatch(/✓ object deals: readable, \d+ records/);
    expect(before.stdout).toContain('✓ writeback target: scorecard custom object attain_rep_scorecard');
    expect(before.stdout).toContain('✗ writeback field');

    const fixed = await attain('doctor', '--fix');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('✓ scorecard object: p4242_attain_rep_scorecard (2-1) created');
    expect(fixed.stdout).toContain(
      '✓ writeback: 9 p4242_attain_rep_scorecard fields exist and are updateable',
    );
    expect(fixed.stdout).not.toContain(emulator.credentials.accessToken);

    const again = await attain('doctor', '--fix', '--json');
    expect(again.code).toBe(0);
    const checks = (JSON.parse(again.stdout) as { checks: Array<{ name: string; detail: string }> }).checks;
    expect(checks.find((check) => check.name === 'writeback properties')!.detail).toBe(
      'group attain exists on p4242_attain_rep_scorecard; all 9 properties exist',
    );
  });

  it('run backfills, computes and writes scorecards; a second run writes nothing', async () => {
    const first = await attain('run', '--json');
    expect(first.code).toBe(0);
    const cards = emulator.store.groundTruth('p4242_attain_rep_scorecard')
      .p4242_attain_rep_scorecard as unknown[];
    expect(cards.length).toBeGreaterThan(0);
    emulator.store.clock.advance(10_000);
    emulator.store.requestLog.reset();
    const second = await attain('run');
    expect(second.code).toBe(0);
    expect(
      emulator.store.requestLog.entries().filter((entry) => entry.path.endsWith('/batch/upsert')),
    ).toEqual([]);
  });
});
