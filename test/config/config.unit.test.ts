import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config.ts';
import { ConfigError } from '../../src/errors/config-error.ts';

function issuesOf(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigText(yaml, 'test.yaml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(2);
    return (error as ConfigError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the config to be rejected');
}

describe('config validation', () => {
  it('accepts an empty file and fills the documented defaults', () => {
    const config = parseConfigText('', 'empty.yaml', {});
    expect(config.org).toEqual({
      timezone: 'UTC',
      fiscalYearStartMonth: 1,
      fiscalYearNaming: 'end',
      currency: 'USD',
      locale: 'en-US',
    });
    expect(config.connections).toEqual([]);
  });

  it('accepts the shipped attain.config.example.yaml', () => {
    const text = readFileSync('attain.config.example.yaml', 'utf8');
    const config = parseConfigText(text, 'attain.config.example.yaml', {
      SF_CLIENT_ID: 'id',
      SF_CLIENT_SECRET: 'secret',
    });
    expect(config.connections.map((c) => c.id)).toEqual(['acme-salesforce']);
  });

  it('interpolates ${ENV} and ${ENV:-default}', () => {
    const config = parseConfigText(
      `
org:
  timezone: \${ORG_TZ:-Europe/Berlin}
connections:
  - id: acme
    provider: salesforce
    salesforce:
      flow: client_credentials
      clientId: \${SF_ID}
      clientSecret: \${SF_SECRET}
`,
      'ok.yaml',
      { SF_ID: 'cid', SF_SECRET: 'shhh-secret' },
    );
    expect(config.org.timezone).toBe('Europe/Berlin');
    expect(config.connections[0]).toMatchObject({
      id: 'acme',
      salesforce: {
        clientId: 'cid',
        clientSecret: 'shhh-secret',
        apiVersion: '64.0',
        loginUrl: 'https://login.salesforce.com',
      },
    });
  });

  it('lists every problem at once, each with its path', () => {
    const issues = issuesOf(
      `
org:
  timezone: Mars/Olympus
  fiscalYearStartMonth: 13
  currency: dollars
  colour: blue
connections:
  - id: Acme Corp
    provider: salesforce
    salesforce:
      flow: password
      clientSecret: \${SF_SECRET}
  - id: b
    provider: zendesk
`,
    );
    expect(issues).toEqual([
      'connections[0].id: lowercase letters, digits, "-" and "_" only (it is used in job ids)',
      'connections[0].salesforce.clientId: required',
      'connections[0].salesforce.clientSecret: environment variable SF_SECRET is not set',
      'connections[0].salesforce.clientSecret: must not be empty',
      'connections[0].salesforce.password: required',
      'connections[0].salesforce.username: required',
      'connections[1].provider: must be one of "salesforce", "hubspot"',
      'org.colour: unknown key',
      'org.currency: must be a 3-letter ISO currency code (e.g. USD)',
      'org.fiscalYearStartMonth: must be <= 12',
      'org.timezone: not an IANA time zone (e.g. America/New_York)',
    ]);
  });

  it('checks the fields each Salesforce OAuth flow needs', () => {
    const base = (flow: string, extra = '') => `
connections:
  - id: sf
    provider: salesforce
    salesforce:
      flow: ${flow}
      clientId: cid
${extra}`;
    expect(issuesOf(base('jwt'))).toEqual([
      'connections[0].salesforce.privateKey: required',
      'connections[0].salesforce.username: required',
    ]);
    expect(issuesOf(base('refresh_token'))).toEqual([
      'connections[0].salesforce.clientSecret: required',
      'connections[0].salesforce.refreshToken: required',
    ]);
    expect(issuesOf(base('magic'))).toEqual([
      'connections[0].salesforce.flow: must be one of "client_credentials", "password", "jwt", "refresh_token"',
    ]);
  });

  it('rejects duplicate connection ids and reports YAML syntax errors with their position', () => {
    const one = `
  - id: sf
    provider: salesforce
    salesforce: { flow: client_credentials, clientId: a, clientSecret: b }`;
    expect(issuesOf(`connections:${one}${one}`)).toEqual([
      'connections[1].id: duplicate connection id "sf" (also connections[0])',
    ]);
    expect(issuesOf('org: [unclosed')[0]).toMatch(/^: YAML syntax error at line 1, column \d+/);
  });
});
