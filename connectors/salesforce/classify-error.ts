import type { AttainError } from '../../src/errors/attain-error.ts';
import { crmFailureToAttainError, type CrmFailureClass } from '../../src/errors/crm-failure.ts';

/**
 * What a Salesforce error means for us. jsforce does not export its error class, so errors are
 * classified by `errorCode` (always equal to `name`), as the wire spec (§8) prescribes.
 */
export type SalesforceErrorKind =
  | 'auth' // credentials rejected, refresh impossible: fix the connection
  | 'budget' // the org's daily API limit is used up: stop cleanly, continue tomorrow
  | 'unavailable' // 5xx, 429, concurrency limit, network: retry later
  | 'query_timeout' // the query ran too long: narrow the window
  | 'invalid_locator' // the query cursor expired: restart from the last checkpoint
  | 'unsupported_object' // the org lacks the feature (Quotes, Forecasts, multi-currency)
  | 'invalid_field' // a field is missing or unreadable: describe again
  | 'request'; // anything else the org refuses: a bug or a config problem

export interface ClassifiedError {
  kind: SalesforceErrorKind;
  code: string;
  message: string;
}

const UNAVAILABLE_CODES = new Set([
  'SERVER_UNAVAILABLE',
  'UNKNOWN_EXCEPTION',
  'REQUEST_RUNNING_TOO_LONG',
  'UNABLE_TO_LOCK_ROW',
  'ERROR_HTTP_420',
  'ERROR_HTTP_429',
  'ERROR_HTTP_500',
  'ERROR_HTTP_502',
  'ERROR_HTTP_503',
  'ERROR_HTTP_504',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);
const AUTH_CODES = new Set([
  'INVALID_SESSION_ID',
  'invalid_grant',
  'invalid_client',
  'invalid_client_id',
  'invalid_client_credentials',
  'unsupported_grant_type',
  'inactive_user',
  'inactive_org',
  'INVALID_AUTH_HEADER',
  'API_DISABLED_FOR_ORG',
  'API_CURRENTLY_DISABLED',
]);

export function classifySalesforceError(error: unknown): ClassifiedError {
  const err = error as {
    errorCode?: unknown;
    name?: unknown;
    message?: unknown;
    code?: unknown;
    cause?: { code?: unknown };
  };
  const message = typeof err?.message === 'string' ? err.message : String(error);
  const code =
    (typeof err?.errorCode === 'string' && err.errorCode) ||
    (typeof err?.code === 'string' && err.code) ||
    (typeof err?.cause?.code === 'string' && err.cause.code) ||
    (typeof err?.name === 'string' && err.name) ||
    'UNKNOWN';

  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    // The same code covers the 24 h quota and the concurrent long-running request limit.
    return { kind: /concurrent/i.test(message) ? 'unavailable' : 'budget', code, message };
  }
  if (AUTH_CODES.has(code) || message.startsWith('Unable to refresh session'))
    return { kind: 'auth', code, message };
  if (code === 'QUERY_TIMEOUT') return { kind: 'query_timeout', code, message };
  if (code === 'INVALID_QUERY_LOCATOR') return { kind: 'invalid_locator', code, message };
  if (code === 'INVALID_TYPE' || code === 'NOT_SUPPORTED')
    return { kind: 'unsupported_object', code, message };
  if (code === 'INVALID_FIELD') return { kind: 'invalid_field', code, message };
  if (UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code) || message === 'fetch failed') {
    return { kind: 'unavailable', code, message };
  }
  return { kind: 'request', code, message };
}

/** The attain error class for a Salesforce failure, for the stage and the worker's retry policy. */
export function toAttainError(error: unknown, what: string, retryAfterMs?: number): AttainError {
  const { kind, code, message } = classifySalesforceError(error);
  return crmFailureToAttainError(
    'Salesforce',
    what,
    { class: failureClass(kind), code, message, retryAfterMs },
    error,
  );
}

function failureClass(kind: SalesforceErrorKind): CrmFailureClass {
  if (kind === 'auth' || kind === 'budget') return kind;
  return kind === 'unavailable' || kind === 'query_timeout' || kind === 'invalid_locator'
    ? 'retryable'
    : 'request';
}
