import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import * as fixture from './fixtures/hand-computed.ts';
import { insertHandComputed } from './fixtures/insert-canonical.ts';
import { CHECKED_COLUMNS } from './fixtures/hand-computed.ts';

const cli = path.resolve('src/cli.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'attain-kpis-cli-'));
const configFile = path.join(dir, 'attain.config.yaml');

let database: TestDatabase;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--config', configFile, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  await insertHandComputed(database.db, 'acme');
  writeFileSync(
    configFile,
    [
      'org:',
      '  timezone: America/Los_Angeles',
      '  fiscalYearStartMonth: 2',
      '  currency: USD',
      '  locale: en-US',
      'connections:',
      '  - id: acme',
      '    provider: salesforce',
      '    salesforce: { clientId: cli-test, clientSecret: cli-test-secret }',
    ].join('\n'),
  );
});

afterAll(async () => {
  await database?.drop();
});

describe('attain kpis and attain quotas import', () => {
  it('imports a quota file, and rejects a bad one with every bad line and exit code 2', async () => {
    const good = path.join(dir, 'quotas.csv');
    writeFileSync(good, 'rep,period_start,amount\ncarol@acme.test,2026-05-01,40000\n');
    const ok = await runCli(['quotas', 'import', good]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('quotas acme from');
    // the fixture's two file quotas (Bob's) are not in the file: removed
    expect(ok.stdout).toContain('1 rows — 1 new, 0 changed, 0 unchanged, 2 removed');

    const bad = path.join(dir, 'bad.csv');
    writeFileSync(
      bad,
      'rep,period_start,amount\ncarol@acme.test,2026-05-01,40000\nnobody,2026-05-01,1\ncarol@acme.test,2026-05-15,1\n',
    );
    const rejected = await runCli(['quotas', 'import', bad]);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toContain('has 2 bad line(s); nothing was imported');
    expect(rejected.stderr).toContain('line 3: no rep with id or email "nobody"');
    expect(rejected.stderr).toContain(
      'line 4: period_start 2026-05-15 is not the first day of a fiscal quarter',
    );

    expect((await runCli(['quotas', 'import', path.join(dir, 'missing.csv')])).code).toBe(2);
  });

  it('computes and prints the quarter leaderboard: reps by attainment, then teams, then the org', async () => {
    const { code, stdout, stderr } = await runCli(['kpis', '--as-of', fixture.AS_OF]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^kpis acme as of 2026-05-20: full \(no previous computation\), 73 rows written/);
    expect(stdout).toContain('1 won deal(s) closed before they were created: cycle counted as 0');
    expect(stdout).toContain('FY2027 Q2 (2026-05-01 – 2026-07-31), as of 2026-05-20');
    const names = stdout
      .split('\n')
      .filter((line) => /^ {2}\S/.test(line))
      .slice(1)
      .map((line) => line.trim().split(/ {2,}/)[0]);
    // O1 still closes in April here. Bob 30 000 / 50 000 = 60 %, Alice 16 000 / 30 000 = 53.3 %,
    // Carol 0 of her imported 40 000, then the reps without a quota by name; Max's team
    // 46 000 / 80 000 = 57.5 % before Dana's 53 000 / 120 000 = 44.2 %
    expect(names).toEqual([
      'Bob Baker',
      'Alice Ace',
      'Carol Chen',
      'Dan Dunn',
      'Max Manager',
      'Unassigned',
      'Team Max Manager',
      'Team Dana Director',
      'Org total',
    ]);
    const alice = stdout.split('\n').find((line) => line.includes('Alice Ace'))!;
    // won O2, O3, O4 and lost O5: 75 %; cycles (30 + 12 + 0) / 3 = 14 days; discount
    // (2 200 + 500 + 800) / (13 200 + 5 000 + 8 000) = 13.4 %; coverage 53 000 / 14 000 = 3.8
    for (const cell of ['$30,000', '$16,000', '53.3%', 'ahead', '75%', '14 d', '13.4%', '3.8×']) {
      expect(alice).toContain(cell);
    }
  });

  it('prints every column of every row of the period with --json, incrementally the second time', async () => {
    const { code, stdout } = await runCli(['kpis', '--as-of', fixture.AS_OF, '--period', 'month', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      run: { mode: string; rowsWritten: { total: number } };
      period: { label: string };
      rows: Array<Record<string, unknown>>;
    };
    expect(result.run).toMatchObject({ mode: 'incremental', rowsWritten: { total: 0 } });
    expect(result.period.label).toBe('May 2026');
    // Alice, Bob, Carol, Dan (his current month), Max, Unassigned; two teams; the org
    expect(result.rows).toHaveLength(9);
    for (const row of result.rows) {
      for (const column of [
        ...CHECKED_COLUMNS,
        'scope',
        'rep_id',
        'period_start',
        'as_of',
        'run_id',
        'name',
      ]) {
        expect(row).toHaveProperty(column);
      }
    }
    expect(result.rows.at(-1)).toMatchObject({ scope: 'org', rep_id: '*', period_type: 'month' });
  });

  it('rejects a bad --as-of or --period with exit code 2', async () => {
    const badDate = await runCli(['kpis', '--as-of', '2026-02-30']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--as-of "2026-02-30" is not a date written YYYY-MM-DD');
    const badPeriod = await runCli(['kpis', '--period', 'week']);
    expect(badPeriod.code).toBe(2);
    expect(badPeriod.stderr).toContain('--period "week" is not one of month, quarter, year');
  });
});
