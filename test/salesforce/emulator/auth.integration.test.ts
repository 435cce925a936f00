import { createSign, generateKeyPairSync } from 'node:crypto';
import { Connection } from 'jsforce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../../connectors/salesforce/emulator/emulator.ts';
import { API_VERSION, NOW, passwordConnection, rejection, tokenConnection } from './jsforce-client.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

function jwt(claims: Record<string, unknown>, alg = 'RS256'): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg, typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(privateKey).toString('base64url')}`;
}

describe('Salesforce emulator: OAuth flows and session expiry with real jsforce', () => {
  let emulator: SalesforceEmulator;

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ scale: 2, seed: 14, now: NOW, tokenTtlSeconds: 600 });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.store.requestLog.reset());

  const oauth2 = () => ({
    clientId: emulator.credentials.clientId,
    clientSecret: emulator.credentials.clientSecret,
    loginUrl: emulator.url,
  });
  const calls = () => emulator.store.requestLog.entries().map((r) => `${r.method} ${r.path} ${r.status}`);

  it('logs in with the username-password flow and rejects bad credentials like Salesforce', async () => {
    const conn = await passwordConnection(emulator);
    expect(conn.instanceUrl).toBe(emulator.url);
    expect(conn.userInfo).toEqual({
      id: emulator.store.org.integrationUserId,
      organizationId: emulator.store.org.orgId,
      url: `${emulator.url}/id/${emulator.store.org.orgId}/${emulator.store.org.integrationUserId}`,
    });
    const [token] = emulator.store.requestLog.entries();
    expect(token!.body).toContain('grant_type=password');
    expect(token!.body).toContain('password=***');
    expect(token!.body).not.toContain(emulator.credentials.password);

    const wrong = new Connection({ oauth2: oauth2(), version: API_VERSION });
    const badPassword = await rejection(wrong.login(emulator.credentials.username, 'nope'));
    expect([badPassword.name, badPassword.message]).toEqual(['invalid_grant', 'authentication failure']);
    const badClient = new Connection({ oauth2: { ...oauth2(), clientSecret: 'nope' }, version: API_VERSION });
    const error = await rejection(
      badClient.login(emulator.credentials.username, emulator.credentials.password),
    );
    expect(error.name).toBe('invalid_client');
  });

  it('refreshes an expired session with the refresh token and replays the request', async () => {
    const conn = new Connection({
      oauth2: oauth2(),
      instanceUrl: emulator.url,
      accessToken: emulator.credentials.accessToken,
      refreshToken: emulator.credentials.refreshToken,
      version: API_VERSION,
    });
    const refreshed: string[] = [];
    conn.on('refresh', (token: string) => refreshed.push(token));
    emulator.store.expireTokens();
    const result = await conn.query('SELECT Id FROM Lead LIMIT 2');
    expect(result.records).toHaveLength(2);
    expect(refreshed).toHaveLength(1);
    expect(calls()).toEqual([
      'GET /services/data/v59.0/query 401',
      'POST /services/oauth2/token 200',
      'GET /services/data/v59.0/query 200',
    ]);
    const [first, token, replay] = emulator.store.requestLog.entries();
    expect(replay!.query).toEqual(first!.query);
    expect(token!.body).toBe(
      `grant_type=refresh_token&refresh_token=***&client_id=${emulator.credentials.clientId}&client_secret=***`,
    );
    expect(replay!.headers.authorization).toBe('Bearer ***');

    // A second refresh leaves the first refreshed token valid.
    const second = await conn.oauth2.refreshToken(emulator.credentials.refreshToken);
    expect(second.access_token).not.toBe(refreshed[0]);
    const older = new Connection({
      instanceUrl: emulator.url,
      accessToken: refreshed[0]!,
      version: API_VERSION,
    });
    expect((await older.query('SELECT COUNT() FROM User')).totalSize).toBeGreaterThan(0);
  });

  it('answers an expired token with 401 INVALID_SESSION_ID and re-logs in a password session', async () => {
    const plain = tokenConnection(emulator);
    emulator.store.expireTokens();
    const expired = await rejection(plain.query('SELECT Id FROM User'));
    expect([expired.errorCode, expired.message]).toEqual([
      'INVALID_SESSION_ID',
      'Session expired or invalid',
    ]);

    const conn = await passwordConnection(emulator);
    emulator.store.expireTokens();
    emulator.store.requestLog.reset();
    await conn.query('SELECT Id FROM User');
    expect(calls()).toEqual([
      'GET /services/data/v59.0/query 401',
      'POST /services/oauth2/token 200',
      'GET /services/data/v59.0/query 200',
    ]);
  });

  it('expires tokens after tokenTtlSeconds of emulator time', async () => {
    const conn = await passwordConnection(emulator);
    emulator.store.clock.advance(601_000);
    const fresh = tokenConnection(emulator);
    fresh.accessToken = conn.accessToken;
    const expired = await rejection(fresh.query('SELECT Id FROM User'));
    expect(expired.errorCode).toBe('INVALID_SESSION_ID');
  });

  it('supports client credentials, with a refreshFn for expired sessions', async () => {
    const conn = new Connection({
      oauth2: oauth2(),
      version: API_VERSION,
      refreshFn: (c, callback) => {
        c.oauth2.requestToken({ grant_type: 'client_credentials' }).then(
          (response) => callback(null, response.access_token, response),
          (error: Error) => callback(error),
        );
      },
    });
    await conn.authorize({ grant_type: 'client_credentials' });
    expect(conn.userInfo?.id).toBe(emulator.store.org.integrationUserId);
    emulator.store.expireTokens();
    expect((await conn.query('SELECT COUNT() FROM Opportunity')).totalSize).toBeGreaterThan(0);
    expect(
      emulator.store.requestLog.entries().filter((r) => r.path === '/services/oauth2/token'),
    ).toHaveLength(2);
  });

  it('accepts a well-formed RS256 JWT bearer assertion whose iss is the client id', async () => {
    const claims = {
      iss: emulator.credentials.clientId,
      sub: emulator.credentials.username,
      aud: emulator.url,
      exp: Math.floor(Date.now() / 1000) + 300,
    };
    const conn = new Connection({ oauth2: oauth2(), version: API_VERSION });
    await conn.authorize({ grant_type: JWT_BEARER, assertion: jwt(claims) });
    expect(conn.instanceUrl).toBe(emulator.url);
    expect((await conn.query('SELECT Id FROM User LIMIT 1')).records).toHaveLength(1);

    const other = new Connection({ oauth2: oauth2(), version: API_VERSION });
    const wrongIssuer = await rejection(
      other.authorize({ grant_type: JWT_BEARER, assertion: jwt({ ...claims, iss: 'x' }) }),
    );
    expect(wrongIssuer.name).toBe('invalid_client_id');
    const expired = await rejection(
      other.authorize({ grant_type: JWT_BEARER, assertion: jwt({ ...claims, exp: 1 }) }),
    );
    expect(expired.name).toBe('invalid_grant');
    const hmac = await rejection(
      other.authorize({ grant_type: JWT_BEARER, assertion: jwt(claims, 'HS256') }),
    );
    expect([hmac.name, hmac.message]).toEqual(['invalid_grant', 'invalid assertion']);
  });

  it('refreshes the session of a Bulk 2.0 call too (401 body carries INVALID_SESSION_ID)', async () => {
    const conn = new Connection({
      oauth2: oauth2(),
      instanceUrl: emulator.url,
      accessToken: 'stale',
      refreshToken: emulator.credentials.refreshToken,
      version: API_VERSION,
    });
    conn.bulk2.pollInterval = 20;
    const stream = await conn.bulk2.query('SELECT Id FROM User');
    const records: unknown[] = [];
    for await (const record of stream) records.push(record);
    expect(records.length).toBeGreaterThan(0);
    expect(calls().slice(0, 3)).toEqual([
      'POST /services/data/v59.0/jobs/query 401',
      'POST /services/oauth2/token 200',
      'POST /services/data/v59.0/jobs/query 200',
    ]);
  });

  it('serves the identity URL', async () => {
    const conn = await passwordConnection(emulator);
    const identity = await conn.identity();
    const user = emulator.store.get(emulator.store.org.integrationUserId)!;
    expect(identity).toMatchObject({
      user_id: user.Id,
      organization_id: emulator.store.org.orgId,
      username: user.Username,
      display_name: user.Name,
      email: user.Email,
    });
  });
});
