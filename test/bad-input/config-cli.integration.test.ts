import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = path.resolve('src/cli.ts');
const dir = mkdtempSync(path.join(tmpdir(), 'attain-bad-config-'));

/** `attain --config FILE …args` with `text` as the file (and `env`), as a user runs it. */
function attain(
  text: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = path.join(dir, `${args[0]}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  const child = spawn(process.execPath, [cli, '--config', file, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH, ATTAIN_DATA_DIR: path.join(dir, 'data'), ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('bad config files on the command line', () => {
  it('exit 2 with the file and one "path: message" line per problem, never a stack trace, whatever the command', async () => {
    const cases = [
      { args: ['run'], text: '- org\n- connections\n' },
      { args: ['sync'], text: 'org:\n\ttimezone: UTC\n' },
      { args: ['worker'], text: 'org: { timezone: Mars/Olympus, colour: blue }\n' },
      {
        args: ['scheduler'],
        text: 'connections:\n  - { id: sf, provider: salesforce, salesforce: { clientId: cid, clientSecret: "${NOT_SET}" } }\n',
      },
      { args: ['digest'], text: 'schedules: { sync: every 5 minutes }\nqueue: { attempts: 0 }\n' },
    ];
    const results = await Promise.all(cases.map(({ text, args }) => attain(text, args)));
    const lines = results.map(({ stderr }) => stderr.trim().split('\n').slice(1));
    expect(lines).toEqual([
      ['  - the file must be a map of sections (org:, connections:, …), not a list'],
      ['  - YAML syntax error at line 2, column 1: Tabs are not allowed as indentation'],
      ['  - org.colour: unknown key', '  - org.timezone: not an IANA time zone (e.g. America/New_York)'],
      [
        '  - connections[0].salesforce.clientSecret: environment variable NOT_SET is not set',
        '  - connections[0].salesforce.clientSecret: must not be empty',
      ],
      [
        '  - queue.attempts: must be >= 1',
        '  - schedules.sync: not a valid cron expression (node-cron syntax, e.g. "*/15 * * * *")',
      ],
    ]);
    for (const [index, { code, stdout, stderr }] of results.entries()) {
      expect(code, cases[index]!.args[0]).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^attain: invalid configuration \(.+\.yaml\):\n/);
      expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
    }
  });

  it('exit 2 when the file is empty but the command needs a connection', async () => {
    const { code, stderr } = await attain('# nothing yet\n', ['run']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^attain: no connections configured in .+\.yaml: add one under "connections"/);
  });

  it('exit 1 with one line, no stack trace, when DATABASE_URL names a server that is not there', async () => {
    const { code, stderr } = await attain('', ['migrate'], {
      DATABASE_URL: 'postgres://attain@127.0.0.1:1/attain',
    });
    expect(code).toBe(1);
    expect(stderr).toBe('attain: connect ECONNREFUSED 127.0.0.1:1: is the service at that address up?\n');
  });
});
