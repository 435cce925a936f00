import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors/config-error.ts';
import { redactString } from '../../src/secrets.ts';

const connection = {
  id: 'sf',
  provider: 'salesforce',
  salesforce: { clientId: 'id', clientSecret: 'client-secret' },
};
const smtp = {
  host: 'smtp.acme.test',
  user: 'bot',
  password: 'smtp-password-77',
  from: 'attain <digests@acme.test>',
};

function issues(digests: unknown): string[] {
  try {
    parseConfig({ connections: [connection], digests }, 'test', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('digests config', () => {
  it('defaults to nothing to send, and fills the documented defaults', () => {
    const config = parseConfig(
      {
        connections: [connection],
        digests: { smtp, schedules: [{ name: 'weekly', cron: '0 8 * * 1', recipients: 'managers' }] },
      },
      'test',
      {},
    );
    expect(parseConfig({}, 'test', {}).digests.schedules).toEqual([]);
    expect(config.digests.smtp).toMatchObject({
      port: 587,
      secure: false,
      requireTLS: false,
      timeoutMs: 30_000,
    });
    expect(config.digests.retry).toEqual({ attempts: 3, minDelayMs: 2_000, maxDelayMs: 30_000 });
    expect(config.digests.leaseSeconds).toBe(900);
    expect(config.digests.schedules[0]).toEqual({
      name: 'weekly',
      cron: '0 8 * * 1',
      recipients: 'managers',
      channels: ['email'],
    });
  });

  it('registers the SMTP password and webhook URLs as secrets', () => {
    parseConfig(
      {
        connections: [connection],
        digests: {
          smtp: { ...smtp, password: 'pw-registered-1' },
          slack: { webhookUrl: 'https://hooks.slack.test/services/T/B/registered2' },
        },
      },
      'test',
      {},
    );
    expect(redactString('auth pw-registered-1 to https://hooks.slack.test/services/T/B/registered2')).toBe(
      'auth [REDACTED] to [REDACTED]',
    );
  });

  it('lists every mistake in a schedule by path', () => {
    expect(
      issues({
        slack: undefined,
        schedules: [
          {
            name: 'Weekly!',
            cron: '61 8 * * 1',
            timezone: 'Mars/Olympus',
            recipients: 'org',
            channels: ['email', 'slack'],
          },
          { name: 'dup', cron: '0 8 * * 1', recipients: 'managers', to: ['a@acme.test'] },
          {
            name: 'dup',
            cron: '0 8 * * 1',
            recipients: [{ manager: 'M1' }, { manager: 'm1' }],
            channels: ['slack', 'slack'],
          },
        ],
      }),
    ).toEqual([
      'digests.schedules[0].channels: email needs digests.smtp',
      'digests.schedules[0].channels: slack needs digests.slack.webhookUrl or this schedule’s slackWebhookUrl',
      'digests.schedules[0].cron: not a valid cron expression (node-cron syntax, e.g. "0 8 * * 1")',
      'digests.schedules[0].name: lowercase letters, digits and "-" only (it names the schedule)',
      'digests.schedules[0].timezone: not an IANA time zone (e.g. America/New_York)',
      'digests.schedules[0].to: required for recipients: org by email',
      'digests.schedules[1].channels: email needs digests.smtp',
      'digests.schedules[1].to: only for recipients: org (give each listed manager its own "to")',
      'digests.schedules[2].channels: lists a channel twice',
      'digests.schedules[2].channels: slack needs digests.slack.webhookUrl or this schedule’s slackWebhookUrl',
      'digests.schedules[2].name: duplicate schedule name "dup"',
      'digests.schedules[2].recipients: lists a manager twice',
    ]);
    expect(
      issues({ smtp: { host: 'h', user: 'bot', password: 'a-password', from: 'x@y.test', port: 0 } }),
    ).toEqual(['digests.smtp.port: must be >= 1']);
    expect(issues({ smtp: { host: 'h', password: 'only-a-password', from: 'x@y.test' } })).toEqual([
      'digests.smtp.user: required when smtp.password is set',
    ]);
  });
});
