import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config.ts';
import { ConfigError } from '../../src/errors/config-error.ts';

/**
 * Every kind of config mistake: each is a ConfigError (exit code 2) listing `path: message` lines,
 * every problem of the file at once, sorted by path — never a crash or a stack trace.
 */
function problems(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigText(yaml, 'attain.config.yaml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    expect((error as ConfigError).message).not.toMatch(/\bat .*\.ts:\d+/);
    return (error as ConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the config to be rejected');
}

/** A valid Salesforce connection `id`, as a YAML list item. */
const salesforce = (id = 'sf') => `
  - id: ${id}
    provider: salesforce
    salesforce: { clientId: cid, clientSecret: secret }`;
const smtp = `smtp: { host: smtp.acme.test, from: 'attain <digests@acme.test>' }`;

describe('bad config files', () => {
  it('names an unknown key at every level', () => {
    expect(
      problems(`
colour: blue
org: { colour: blue }
connections:
  - id: sf
    provider: salesforce
    colour: blue
    salesforce: { clientId: cid, clientSecret: s, colour: blue }
    sync: { colour: blue }
    mapping: { colour: blue }
    writeback: { colour: blue }
    rateLimit: { colour: blue }
  - id: hs
    provider: hubspot
    hubspot: { accessToken: t, colour: blue }
    sync: { colour: blue }
    mapping: { colour: blue }
    writeback: { colour: blue }
kpis: { colour: blue }
digests:
  colour: blue
  ${smtp.replace(' }', ', colour: blue }')}
  retry: { colour: blue }
  insights: { colour: blue }
  schedules:
    - { name: weekly, cron: '0 8 * * 1', recipients: managers, connection: sf, colour: blue }
schedules: { colour: blue, connections: { sf: { colour: blue } } }
worker: { colour: blue, concurrency: { colour: blue } }
scheduler: { colour: blue }
queue: { colour: blue }
`),
    ).toEqual([
      'colour: unknown key',
      'connections[0].colour: unknown key',
      'connections[0].mapping.colour: unknown key',
      'connections[0].rateLimit.colour: unknown key',
      'connections[0].salesforce.colour: unknown key',
      'connections[0].sync.colour: unknown key',
      'connections[0].writeback.colour: unknown key',
      'connections[1].hubspot.colour: unknown key',
      'connections[1].mapping.colour: unknown key',
      'connections[1].sync.colour: unknown key',
      'connections[1].writeback.colour: unknown key',
      'digests.colour: unknown key',
      'digests.insights.colour: unknown key',
      'digests.retry.colour: unknown key',
      'digests.schedules[0].colour: unknown key',
      'digests.smtp.colour: unknown key',
      'kpis.colour: unknown key',
      'org.colour: unknown key',
      'queue.colour: unknown key',
      'scheduler.colour: unknown key',
      'schedules.colour: unknown key',
      'schedules.connections.sf.colour: unknown key',
      'worker.colour: unknown key',
      'worker.concurrency.colour: unknown key',
    ]);
  });

  it('names values of the wrong type, a map where a list goes and a list where a map goes', () => {
    expect(
      problems(`
org: { fiscalYearStartMonth: april, timezone: 5 }
connections:
  - id: 7
    provider: salesforce
    salesforce: { clientId: [a], clientSecret: { x: 1 } }
    sync: { lagSeconds: true, customFields: [Segment__c] }
    mapping: { connectedCallDispositions: Connected }
worker: { httpPort: abc, concurrency: 3 }
queue: { attempts: 2.5 }
`),
    ).toEqual([
      'connections[0].id: Invalid input: expected string, received number',
      'connections[0].mapping.connectedCallDispositions: Invalid input: expected array, received string',
      'connections[0].salesforce.clientId: Invalid input: expected string, received array',
      'connections[0].salesforce.clientSecret: Invalid input: expected string, received object',
      'connections[0].sync.customFields: Invalid input: expected record, received array',
      'connections[0].sync.lagSeconds: Invalid input: expected number, received boolean',
      'org.fiscalYearStartMonth: Invalid input: expected number, received string',
      'org.timezone: Invalid input: expected string, received number',
      'queue.attempts: Invalid input: expected int, received number',
      'worker.concurrency: Invalid input: expected object, received number',
      'worker.httpPort: Invalid input: expected number, received string',
    ]);
    expect(problems('connections: { sf: { provider: salesforce } }')).toEqual([
      'connections: Invalid input: expected array, received object',
    ]);
    expect(problems('org:\nconnections:\n')).toEqual([
      'connections: Invalid input: expected array, received null',
      'org: Invalid input: expected object, received null',
    ]);
  });

  it('lists the allowed values of an enum, and the shapes a value may take', () => {
    expect(
      problems(`
org: { fiscalYearNaming: middle }
connections:
  - { id: zd, provider: zendesk }${salesforce()}
  - id: sf2
    provider: salesforce
    salesforce: { flow: magic, clientId: cid }
digests:
  ${smtp}
  schedules:
    - { name: a, cron: '0 8 * * 1', recipients: everyone, channels: [fax], connection: sf }
    - { name: b, cron: '0 8 * * 1', recipients: [{ boss: ann@acme.test }], connection: sf }
`),
    ).toEqual([
      'connections[0].provider: must be one of "salesforce", "hubspot"',
      'connections[2].salesforce.flow: must be one of "client_credentials", "password", "jwt", "refresh_token"',
      'digests.schedules[0].channels[0]: must be one of "email", "slack"',
      'digests.schedules[0].recipients: must be "managers", "org" or a list',
      'digests.schedules[1].recipients[0].boss: unknown key',
      'digests.schedules[1].recipients[0].manager: required',
      'org.fiscalYearNaming: must be one of "end", "start"',
    ]);
  });

  it('rejects cron expressions node-cron cannot run, wherever they are', () => {
    expect(
      problems(`
connections:${salesforce()}
schedules: { sync: every 5 minutes, fullRefresh: '61 * * * *', connections: { sf: { sync: '* * *' } } }
digests:
  ${smtp}
  schedules:
    - { name: weekly, cron: 'monday at 8', recipients: managers }
`),
    ).toEqual([
      'digests.schedules[0].cron: not a valid cron expression (node-cron syntax, e.g. "0 8 * * 1")',
      'schedules.connections.sf.sync: not a valid cron expression (node-cron syntax, e.g. "*/15 * * * *")',
      'schedules.fullRefresh: not a valid cron expression (node-cron syntax, e.g. "*/15 * * * *")',
      'schedules.sync: not a valid cron expression (node-cron syntax, e.g. "*/15 * * * *")',
    ]);
  });

  it('rejects time zones that are not IANA zones, wherever they are', () => {
    const zone = 'not an IANA time zone (e.g. America/New_York)';
    expect(
      problems(`
org: { timezone: Mars/Olympus }
connections:${salesforce()}
schedules: { timezone: Europe/Atlantis, connections: { sf: { timezone: UTC+3 } } }
digests:
  ${smtp}
  schedules:
    - { name: weekly, cron: '0 8 * * 1', recipients: managers, timezone: EST5EDT6 }
`),
    ).toEqual([
      `digests.schedules[0].timezone: ${zone}`,
      `org.timezone: ${zone}`,
      `schedules.connections.sf.timezone: ${zone}`,
      `schedules.timezone: ${zone}`,
    ]);
  });

  it('names every environment variable that is missing, and takes a default when one is given', () => {
    const text = `
connections:
  - id: sf
    provider: salesforce
    salesforce:
      clientId: \${SF_CLIENT_ID}
      clientSecret: \${SF_CLIENT_SECRET}
      loginUrl: \${SF_LOGIN_URL:-https://test.salesforce.com}
digests:
  smtp: { host: smtp.acme.test, from: a@acme.test, user: digests, password: '\${SMTP_PASSWORD}' }
`;
    expect(problems(text)).toEqual([
      'connections[0].salesforce.clientId: environment variable SF_CLIENT_ID is not set',
      'connections[0].salesforce.clientId: must not be empty',
      'connections[0].salesforce.clientSecret: environment variable SF_CLIENT_SECRET is not set',
      'connections[0].salesforce.clientSecret: must not be empty',
      'digests.smtp.password: environment variable SMTP_PASSWORD is not set',
      'digests.smtp.password: must not be empty',
    ]);
    // Set but empty counts as missing.
    expect(problems(text, { SF_CLIENT_ID: 'cid', SF_CLIENT_SECRET: 'secret', SMTP_PASSWORD: '' })).toEqual([
      'digests.smtp.password: environment variable SMTP_PASSWORD is not set',
      'digests.smtp.password: must not be empty',
    ]);
    const config = parseConfigText(text, 'attain.config.yaml', {
      SF_CLIENT_ID: 'cid',
      SF_CLIENT_SECRET: 'secret',
      SMTP_PASSWORD: 'pw',
    });
    expect(config.connections[0]).toMatchObject({ salesforce: { loginUrl: 'https://test.salesforce.com' } });
  });

  it('rejects duplicate connection ids, schedule names, channels and managers', () => {
    expect(
      problems(`
connections:${salesforce()}${salesforce()}${salesforce('other')}${salesforce()}
digests:
  ${smtp}
  schedules:
    - { name: weekly, cron: '0 8 * * 1', recipients: managers, connection: sf }
    - name: weekly
      cron: '0 9 * * 1'
      connection: sf
      channels: [email, email]
      recipients: [{ manager: ann@acme.test }, { manager: ANN@acme.test }]
`),
    ).toEqual([
      'connections[1].id: duplicate connection id "sf" (also connections[0])',
      'connections[3].id: duplicate connection id "sf" (also connections[0])',
      'digests.schedules[1].channels: lists a channel twice',
      'digests.schedules[1].name: duplicate schedule name "weekly"',
      'digests.schedules[1].recipients: lists a manager twice',
    ]);
  });

  it('rejects URLs that are not http(s) and addresses that are not email addresses', () => {
    expect(
      problems(`
connections:
  - id: sf
    provider: salesforce
    salesforce: { clientId: cid, clientSecret: s, loginUrl: login.salesforce.com }
  - id: sf2
    provider: salesforce
    salesforce: { clientId: cid, clientSecret: s, loginUrl: 'ftp://login.salesforce.com' }
  - id: hs
    provider: hubspot
    hubspot: { accessToken: t, basePath: 'not a url' }
digests:
  slack: { webhookUrl: hooks.slack.com/services/x }
  schedules:
    - name: pulse
      cron: '0 8 * * 1'
      recipients: org
      to: [not-an-address]
      channels: [slack]
      slackWebhookUrl: 'mailto:team@acme.test'
      connection: sf
`),
    ).toEqual([
      'connections[0].salesforce.loginUrl: must be an http(s) URL',
      'connections[1].salesforce.loginUrl: must be an http(s) URL',
      'connections[2].hubspot.basePath: must be an http(s) URL',
      'digests.schedules[0].slackWebhookUrl: must be an http(s) URL',
      'digests.schedules[0].to[0]: not an email address',
      'digests.slack.webhookUrl: must be an http(s) URL',
    ]);
  });

  it('rejects negative, zero and out-of-range numbers with their bounds', () => {
    expect(
      problems(`
org: { fiscalYearStartMonth: 0 }
connections:
  - id: sf
    provider: salesforce
    salesforce: { clientId: cid, clientSecret: s }
    sync: { lagSeconds: -5, queryBatchSize: 10, maxDailyApiShare: 0 }
    rateLimit: { requests: -1, intervalSeconds: 0 }
worker: { shutdownTimeoutSeconds: -1, httpPort: 70000, concurrency: { extract: 0 } }
queue: { attempts: 0, backoffSeconds: -1, keepCompletedSeconds: 5 }
digests:
  retry: { attempts: -1 }
  smtp: { host: smtp.acme.test, from: a@acme.test, port: 0 }
`),
    ).toEqual([
      'connections[0].rateLimit.intervalSeconds: must be > 0',
      'connections[0].rateLimit.requests: must be >= 0',
      'connections[0].sync.lagSeconds: must be >= 0',
      'connections[0].sync.maxDailyApiShare: must be > 0',
      'connections[0].sync.queryBatchSize: must be >= 200',
      'digests.retry.attempts: must be >= 1',
      'digests.smtp.port: must be >= 1',
      'org.fiscalYearStartMonth: must be >= 1',
      'queue.attempts: must be >= 1',
      'queue.backoffSeconds: must be >= 0',
      'queue.keepCompletedSeconds: must be >= 60',
      'worker.concurrency.extract: must be >= 1',
      'worker.httpPort: must be <= 65535',
      'worker.shutdownTimeoutSeconds: must be > 0',
    ]);
  });

  it('names settings that contradict each other', () => {
    expect(
      problems(`
connections:${salesforce()}
schedules: { connections: { gone: { sync: '*/5 * * * *' } } }
digests:
  smtp: { host: smtp.acme.test, from: a@acme.test, password: pw }
  schedules:
    - { name: pulse, cron: '0 8 * * 1', recipients: org, channels: [email, slack], connection: sf }
    - { name: team, cron: '0 8 * * 1', recipients: managers, to: [ann@acme.test], connection: sf }
`),
    ).toEqual([
      'digests.schedules[0].channels: slack needs digests.slack.webhookUrl or this schedule’s slackWebhookUrl',
      'digests.schedules[0].to: required for recipients: org by email',
      'digests.schedules[1].to: only for recipients: org (give each listed manager its own "to")',
      'digests.smtp.user: required when smtp.password is set',
      'schedules.connections.gone: no such connection',
    ]);
  });

  it('reports a YAML syntax error once, with its line and column', () => {
    expect(problems('org: [unclosed\n')).toEqual([
      ': YAML syntax error at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    expect(problems('org:\n\ttimezone: UTC\n')).toEqual([
      ': YAML syntax error at line 2, column 1: Tabs are not allowed as indentation',
    ]);
    expect(problems('org:\n  timezone: UTC\n  timezone: Europe/Berlin\n')).toEqual([
      ': YAML syntax error at line 3, column 3: Map keys must be unique',
    ]);
    expect(problems('org:\n  timezone: UTC\n   currency: EUR\n')).toEqual([
      ': YAML syntax error at line 2, column 13: Nested mappings are not allowed in compact mappings (1 more error follow from it)',
    ]);
  });

  it('wants a map of sections: not a list, not a single value', () => {
    const expected = (found: string) => [
      `: the file must be a map of sections (org:, connections:, …), not ${found}`,
    ];
    expect(problems('- org\n- connections\n')).toEqual(expected('a list'));
    expect(problems('hello\n')).toEqual(expected('"hello"'));
    expect(problems('42\n')).toEqual(expected('42'));
    // An empty file (or only comments) is no mistake: the defaults apply.
    expect(parseConfigText('# nothing yet\n', 'attain.config.yaml', {}).connections).toEqual([]);
  });
});
