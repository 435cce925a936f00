import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database.ts';
import type { RepRecord } from '../src/demo.ts';

const CLI = path.resolve('src/cli.ts');
const home = mkdtempSync(path.join(tmpdir(), 'attain-demo-'));

interface DemoJson {
  incremental: boolean;
  seconds: number;
  repRecords: RepRecord[];
  summaryFile: string;
  run: {
    status: string;
    apiCalls: number;
    result: { kpis: { result: { asOf: string } }; writeback: { counts: { writeCalls: number } } };
  };
}

/** `attain demo` exactly as the README says, on a bare environment: no DATABASE_URL, REDIS_URL or config. */
function demo(...args: string[]): Promise<{ code: number | null; json: DemoJson; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--json', 'demo', '--scale', '4', ...args], {
      cwd: home,
      env: { PATH: process.env.PATH, HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve({ code, json: JSON.parse(stdout) as DemoJson, stderr });
      } catch {
        reject(new Error(`attain demo exited ${code}: ${stderr}`));
      }
    });
  });
}

/** The quarter's KPI rows of every rep the demo wrote to, read from the embedded warehouse. */
async function kpiTable(provider: string, asOf: string) {
  const database = await openDatabase({ dataDir: path.join(home, '.attain', 'demo', provider) });
  try {
    const { rows } = await sql<{
      rep_id: string;
      attainment: number | null;
      bookings: number;
      quota: number | null;
      pace_status: string | null;
    }>`
      SELECT k.rep_id, k.attainment, k.bookings, k.quota, k.pace_status FROM rep_period_kpis k
      JOIN reps r USING (connection_id, rep_id)
      WHERE k.scope = 'rep' AND k.period_type = 'quarter' AND k.as_of = ${asOf}
        AND k.period_start <= ${asOf} AND k.period_end >= ${asOf} AND r.is_active AND NOT r.is_deleted`.execute(
      database.db,
    );
    return rows;
  } finally {
    await database.close();
  }
}

const percent = (value: number | null) => (value === null ? null : Math.round(value * 10_000) / 100);
const cents = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

describe('attain demo', () => {
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('runs end to end on a bare machine, and the reps’ Salesforce fields equal the KPI table', async () => {
    const { code, json } = await demo();
    expect(code).toBe(0);
    expect(json.incremental).toBe(false);
    expect(json.run.status).toBe('succeeded');
    const rows = await kpiTable('salesforce', json.run.result.kpis.result.asOf);
    const users = new Map(json.repRecords.map((record) => [record.id, record.fields]));
    const pace: Record<string, string> = {
      ahead: 'Ahead',
      on_track: 'On Track',
      behind: 'Behind',
      at_risk: 'At Risk',
    };
    const compared = rows.filter((row) => users.has(row.rep_id));
    expect(compared.length).toBeGreaterThanOrEqual(4);
    for (const row of compared) {
      expect(users.get(row.rep_id)).toMatchObject({
        Attain_Quota_Attainment__c: percent(row.attainment),
        Attain_Bookings__c: cents(row.bookings),
        Attain_Quota__c: cents(row.quota),
        Attain_Pace_Status__c: row.pace_status === null ? null : pace[row.pace_status],
      });
    }
    expect(readFileSync(json.summaryFile, 'utf8')).toContain('<table');
  });

  it('runs again incrementally, faster, and writes nothing back', async () => {
    const first = JSON.parse(
      readFileSync(path.join(home, '.attain', 'demo', 'salesforce', 'world.json'), 'utf8'),
    ) as { now: string };
    const { code, json } = await demo();
    expect(code).toBe(0);
    expect(json.incremental).toBe(true);
    expect(json.run.result.writeback.counts.writeCalls).toBe(0);
    // one query per object, nothing else
    expect(json.run.apiCalls).toBe(12);
    const again = JSON.parse(
      readFileSync(path.join(home, '.attain', 'demo', 'salesforce', 'world.json'), 'utf8'),
    ) as { now: string };
    expect(again.now).toBe(first.now);
  });

  it('does the same through HubSpot with --provider hubspot', async () => {
    const { code, json } = await demo('--provider', 'hubspot');
    expect(code).toBe(0);
    const rows = await kpiTable('hubspot', json.run.result.kpis.result.asOf);
    const scorecards = new Map(
      json.repRecords.map((record) => [String(record.fields.attain_owner_key), record.fields]),
    );
    const compared = rows.filter((row) => scorecards.has(row.rep_id));
    expect(compared.length).toBeGreaterThanOrEqual(4);
    for (const row of compared) {
      expect(Number(scorecards.get(row.rep_id)!.attain_bookings)).toBe(cents(row.bookings));
    }
  });
});
