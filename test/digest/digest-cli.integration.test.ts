import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { seedDigestWorld, TIMEZONE } from './fixture.ts';
import { startMailSink, type MailSink } from '../support/mail-sink.ts';

const cli = path.resolve('src/cli.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'attain-digest-cli-'));
const SMTP_PASSWORD = 'cli-smtp-password-5150';

let database: TestDatabase;
let mail: MailSink;
let configFile: string;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, '--config', configFile, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH, DATABASE_URL: database.url, SMTP_PASSWORD, LOG_LEVEL: 'warn' },
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
  await seedDigestWorld(database.db);
  mail = await startMailSink({ user: 'digest-bot', password: SMTP_PASSWORD });
  configFile = path.join(dir, 'attain.config.yaml');
  writeFileSync(
    configFile,
    [
      'org:',
      `  timezone: ${TIMEZONE}`,
      'connections:',
      '  - id: sf',
      '    provider: salesforce',
      '    salesforce: { clientId: cli-test, clientSecret: cli-test-secret }',
      'digests:',
      `  smtp: { host: 127.0.0.1, port: ${mail.port}, user: digest-bot, password: '\${SMTP_PASSWORD}', from: 'attain <digests@acme.test>' }`,
      '  retry: { attempts: 2, minDelayMs: 5, maxDelayMs: 10 }',
      '  schedules:',
      "    - { name: weekly, cron: '0 8 * * 1', recipients: managers }",
    ].join('\n'),
  );
});

afterAll(async () => {
  await mail?.close();
  await database?.drop();
});

describe('attain digest', () => {
  it('writes the HTML preview of one manager’s digest to a file', async () => {
    const file = path.join(dir, 'preview.html');
    const { code, stdout, stderr } = await runCli([
      'digest',
      '--manager',
      'dana@acme.test',
      '--preview',
      file,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote 1 digest(s) to ${file}`);
    expect(stdout).toMatch(/Dana Lee’s team: \d+% of Q3 FY2026 quota/);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('Dana Lee’s team');
    expect(html).toContain('Ana Ruiz');
    expect(mail.received).toHaveLength(0);
  });

  it('sends the current slot once; a second --send sends nothing', async () => {
    const first = await runCli(['digest', '--send', '--manager', 'M1']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^ {2}sent +email Dana Lee → dana@acme\.test$/m);
    expect(mail.received.map((message) => message.envelopeTo)).toEqual([['dana@acme.test']]);

    const second = await runCli(['--json', 'digest', '--send', '--manager', 'M1']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      status: 'succeeded',
      outcomes: [{ recipient: 'M1', channel: 'email', status: 'already_sent' }],
    });
    expect(mail.received).toHaveLength(1);
    expect(first.stderr + second.stderr).not.toContain(SMTP_PASSWORD);
  });

  it('exits 1 when a send fails and 2 on bad usage', async () => {
    mail.failNext(2, 451, 'try again later');
    const failed = await runCli(['digest', '--send', '--manager', 'M2']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('no digest could be sent');
    expect(failed.stderr).toContain('451');

    expect((await runCli(['digest', '--schedule', 'nope'])).code).toBe(2);
    expect((await runCli(['digest', '--manager', 'nobody@acme.test'])).code).toBe(2);
  });
});
