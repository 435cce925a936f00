import { createSign } from 'node:crypto';
import jsforce, { type Connection } from 'jsforce';
import type { TokenResponse } from 'jsforce/lib/oauth2.js';
import type { SalesforceCredentials } from '../../src/config.ts';
import { CrmAuthError } from '../../src/errors/crm-auth-error.ts';
import type { Logger } from '../../src/logger.ts';
import { registerSecret } from '../../src/secrets.ts';
import { CountingTransport } from './transport.ts';

/** A refresh storm (the CRM rejects every fresh token) trips the breaker after this many refreshes… */
const MAX_REFRESHES = 3;
/** …within this window. jsforce itself would refresh forever (hundreds of times a second). */
const REFRESH_WINDOW_MS = 60_000;

export interface SalesforceConnection {
  conn: Connection;
  transport: CountingTransport;
  /** True once the refresh circuit breaker has tripped; every later call fails with CrmAuthError. */
  readonly breakerTripped: () => boolean;
}

/**
 * Opens an authenticated jsforce Connection for any of the four OAuth flows. Every flow gets a
 * refreshFn (jsforce has none for client credentials and JWT) wrapped in a circuit breaker, and
 * one CountingTransport carries REST, Bulk and OAuth traffic.
 */
export async function connectSalesforce(
  credentials: SalesforceCredentials,
  logger: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SalesforceConnection> {
  const transport = new CountingTransport(env);
  const grant = () => grantParams(credentials);
  const refreshTimes: number[] = [];
  let tripped = false;

  const conn = new jsforce.Connection({
    version: credentials.apiVersion,
    loginUrl: credentials.loginUrl,
    oauth2: {
      clientId: credentials.clientId,
      clientSecret: 'clientSecret' in credentials ? credentials.clientSecret : undefined,
      loginUrl: credentials.loginUrl,
    },
    refreshFn: (connection, callback) => {
      const now = Date.now();
      while (refreshTimes.length > 0 && now - refreshTimes[0]! > REFRESH_WINDOW_MS) refreshTimes.shift();
      refreshTimes.push(now);
      if (tripped || refreshTimes.length > MAX_REFRESHES) {
        tripped = true;
        callback(new Error('token refresh circuit breaker open: Salesforce rejected every fresh token'));
        return;
      }
      logger.info({ flow: credentials.flow }, 'refreshing the Salesforce session');
      connection.oauth2.requestToken(grant()).then(
        (token: TokenResponse) => {
          registerSecret(token.access_token);
          callback(null, token.access_token, token);
        },
        (error: unknown) => callback(error as Error),
      );
    },
  });
  // Every HTTP request of this connection, OAuth included, goes through our transport.
  (conn as unknown as { _transport: CountingTransport })._transport = transport;
  (conn.oauth2 as unknown as { _transport: CountingTransport })._transport = transport;

  try {
    await conn.authorize(grant());
  } catch (error) {
    const code = (error as Error).name || 'AUTH_FAILED';
    throw new CrmAuthError(
      `Salesforce login failed (${credentials.flow} flow at ${credentials.loginUrl}): ${(error as Error).message}`,
      { code, cause: error },
    );
  }
  registerSecret(conn.accessToken);
  return { conn, transport, breakerTripped: () => tripped };
}

/** The token-endpoint parameters of a flow (a JWT flow signs a fresh assertion each time). */
function grantParams(credentials: SalesforceCredentials): { grant_type: string; [name: string]: string } {
  switch (credentials.flow) {
    case 'client_credentials':
      return { grant_type: 'client_credentials' };
    case 'password':
      return { grant_type: 'password', username: credentials.username, password: credentials.password };
    case 'refresh_token':
      return { grant_type: 'refresh_token', refresh_token: credentials.refreshToken };
    case 'jwt':
      return {
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: signJwtAssertion(
          credentials.clientId,
          credentials.username,
          credentials.loginUrl,
          credentials.privateKey,
        ),
      };
  }
}

/** The RS256 JWT bearer assertion Salesforce expects (jsforce does not sign JWTs). */
export function signJwtAssertion(
  clientId: string,
  username: string,
  audience: string,
  privateKeyPem: string,
): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'RS256', typ: 'JWT' });
  const claims = encode({
    iss: clientId,
    sub: username,
    aud: audience.replace(/\/+$/, ''),
    exp: Math.floor(Date.now() / 1000) + 180,
  });
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${claims}`);
  let signature: string;
  try {
    signature = signer.sign(privateKeyPem, 'base64url');
  } catch (error) {
    throw new CrmAuthError(`the configured JWT private key cannot sign: ${(error as Error).message}`, {
      code: 'INVALID_PRIVATE_KEY',
      cause: error,
    });
  }
  return `${header}.${claims}.${signature}`;
}
