import { readJwtAssertion } from '../auth/jwt-assertion.ts';
import { tokenSignature } from '../auth/tokens.ts';
import type { EmulatorStore } from '../emulator-store.ts';
import { OAuthError } from '../oauth-error.ts';
import { SalesforceError } from '../salesforce-error.ts';
import { json, type ApiRequest, type Reply, type Route } from './route.ts';

/**
 * OAuth 2.0 token endpoint (spec §3.2) for the password, refresh_token, client_credentials and
 * JWT bearer flows, and the identity URL (spec §3.5).
 */

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export const oauthRoutes: Route[] = [
  {
    name: 'oauth.token',
    method: 'POST',
    pattern: /^\/services\/oauth2\/token\/?$/,
    auth: 'none',
    api: false,
    handle: token,
  },
  {
    name: 'identity',
    method: 'GET',
    pattern: /^\/id\/(\w+)\/(\w+)\/?$/,
    auth: 'bearer',
    api: false,
    handle: identity,
  },
];

function token(request: ApiRequest): Reply {
  const { store } = request;
  const params = new URLSearchParams(request.body);
  const credentials = store.credentials;
  const clientId = params.get('client_id');
  const clientSecret = params.get('client_secret');
  const clientMatches = clientId === credentials.clientId && clientSecret === credentials.clientSecret;
  let userId: string;
  switch (params.get('grant_type')) {
    case 'password': {
      if (!clientMatches) throw new OAuthError('invalid_client', 'invalid client credentials');
      const user = activeUser(store, params.get('username'));
      if (!user || params.get('password') !== credentials.password) {
        throw new OAuthError('invalid_grant', 'authentication failure');
      }
      userId = user;
      break;
    }
    case 'refresh_token':
      if (
        clientId !== credentials.clientId ||
        (clientSecret !== null && clientSecret !== credentials.clientSecret)
      ) {
        throw new OAuthError('invalid_client', 'invalid client credentials');
      }
      if (params.get('refresh_token') !== credentials.refreshToken) {
        throw new OAuthError('invalid_grant', 'expired access/refresh token');
      }
      userId = store.org.integrationUserId;
      break;
    case 'client_credentials':
      if (!clientMatches) throw new OAuthError('invalid_client', 'invalid client credentials');
      userId = store.org.integrationUserId;
      break;
    case JWT_BEARER: {
      const claims = readJwtAssertion(params.get('assertion') ?? '');
      if (!claims) throw new OAuthError('invalid_grant', 'invalid assertion');
      if (claims.iss !== credentials.clientId)
        throw new OAuthError('invalid_client_id', 'client identifier invalid');
      if (claims.exp * 1000 < Date.now()) throw new OAuthError('invalid_grant', 'expired authorization code');
      userId = activeUser(store, claims.sub) ?? store.org.integrationUserId;
      break;
    }
    default:
      throw new OAuthError('unsupported_grant_type', 'grant type not supported');
  }
  const idUrl = `${request.baseUrl}/id/${store.org.orgId}/${userId}`;
  const issuedAt = String(store.clock.nowMs());
  return json({
    access_token: store.tokens.issue(userId),
    instance_url: request.baseUrl,
    id: idUrl,
    token_type: 'Bearer',
    issued_at: issuedAt,
    signature: tokenSignature(idUrl, issuedAt, credentials.clientSecret),
    scope: 'api refresh_token',
  });
}

function activeUser(store: EmulatorStore, username: string | null | undefined): string | null {
  if (!username) return null;
  const wanted = username.toLowerCase();
  for (const user of store.records.table('User').values()) {
    if (String(user.Username).toLowerCase() === wanted && user.IsActive === true) return String(user.Id);
  }
  return null;
}

function identity(request: ApiRequest): Reply {
  const { store } = request;
  const [orgId, userId] = request.params as [string, string];
  const user = store.records.table('User').get(userId);
  if (orgId !== store.org.orgId || !user)
    throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
  const rest = `${request.baseUrl}/services/data/v{version}/`;
  return json({
    id: `${request.baseUrl}/id/${orgId}/${userId}`,
    asserted_user: userId === request.userId,
    user_id: userId,
    organization_id: orgId,
    username: user.Username,
    nick_name: String(user.Username).split('@')[0],
    display_name: user.Name,
    email: user.Email,
    email_verified: true,
    first_name: user.FirstName,
    last_name: user.LastName,
    timezone: user.TimeZoneSidKey,
    active: user.IsActive,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    last_modified_date: user.LastModifiedDate,
    is_app_installed: true,
    urls: {
      rest,
      sobjects: `${rest}sobjects/`,
      query: `${rest}query/`,
      search: `${rest}search/`,
      recent: `${rest}recent/`,
      profile: `${request.baseUrl}/${userId}`,
    },
  });
}
