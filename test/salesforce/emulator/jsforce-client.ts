import { Connection } from 'jsforce';
import { HttpApi } from 'jsforce/lib/http-api.js';
import type { SalesforceEmulator } from '../../../connectors/salesforce/emulator/emulator.ts';

/**
 * Real, unmodified jsforce pointed at an emulator. jsforce honours HTTP(S)_PROXY without NO_PROXY
 * (spec §0.9), so the proxy variables are removed for the whole test process.
 */
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[name];

export const API_VERSION = '59.0';
/** The world every emulator test renders (pinned, so counts and dates are reproducible). */
export const NOW = '2026-03-15T12:00:00.000Z';

/** A connection using the access token issued at start (no OAuth round trip, no refresh). */
export function tokenConnection(emulator: SalesforceEmulator): Connection {
  return new Connection({
    instanceUrl: emulator.url,
    accessToken: emulator.credentials.accessToken,
    version: API_VERSION,
  });
}

/** A connection logged in with the username-password flow (jsforce re-logs in on a 401). */
export async function passwordConnection(emulator: SalesforceEmulator): Promise<Connection> {
  const { clientId, clientSecret, username, password } = emulator.credentials;
  const conn = new Connection({
    oauth2: { clientId, clientSecret, loginUrl: emulator.url },
    version: API_VERSION,
  });
  await conn.login(username, password);
  return conn;
}

/** GET through jsforce's own HttpApi (auth, refresh, retries), keeping the response headers (spec §5.4). */
export async function rawGet(
  conn: Connection,
  url: string,
): Promise<{ body: unknown; headers: Record<string, string> }> {
  const api = new HttpApi(conn, {});
  let headers: Record<string, string> = {};
  api.on('response', (response: { headers: Record<string, string> }) => {
    headers = response.headers;
  });
  const body = await api.request({
    method: 'GET',
    url: conn._normalizeUrl(url),
    headers: { Accept: 'text/csv' },
  });
  return { body, headers };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(
  promise: PromiseLike<unknown>,
): Promise<Error & { errorCode?: string; data?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { errorCode?: string };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
