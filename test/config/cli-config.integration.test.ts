import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = path.resolve('src/cli.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'attain-cli-'));

function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { PATH: process.env.PATH, ATTAIN_DATA_DIR: path.join(dir, 'data'), ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('attain CLI and configuration', () => {
  it('exits 2 and lists every problem, without a stack trace, for a bad config', () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `org:\n  fiscalYearStartMonth: 0\nconnections:\n  - id: sf\n    provider: salesforce\n    salesforce:\n      flow: client_credentials\n      clientSecret: \${MISSING_SECRET}\n`,
    );
    const { code, stderr } = runCli(['--config', file, 'migrate']);
    expect(code).toBe(2);
    expect(stderr).toContain(`invalid configuration (${file})`);
    expect(stderr).toContain('connections[0].salesforce.clientId: required');
    expect(stderr).toContain(
      'connections[0].salesforce.clientSecret: environment variable MISSING_SECRET is not set',
    );
    expect(stderr).toContain('org.fiscalYearStartMonth: must be >= 1');
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('reads the config named by ATTAIN_CONFIG and reports a missing file', () => {
    const { code, stderr } = runCli(['migrate'], { ATTAIN_CONFIG: path.join(dir, 'nope.yaml') });
    expect(code).toBe(2);
    expect(stderr).toContain('nope.yaml): \n  - file not found'.replace(': \n', ':\n'));
  });

  it('exits 2 on an unknown command and 0 for --version', () => {
    expect(runCli(['frobnicate']).code).toBe(2);
    const version = runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('migrates the embedded database with no DATABASE_URL and no config, idempotently', () => {
    const first = runCli(['migrate', '--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ kind: 'pglite', alreadyApplied: 0 });
    const second = runCli(['migrate']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('is up to date');
  });
});
