import type { AttainError } from '../../src/errors/attain-error.ts';
import { crmFailureToAttainError, type CrmFailureClass } from '../../src/errors/crm-failure.ts';
import { parseRetryAfter } from '../salesforce/transport.ts';

/**
 * What a HubSpot failure means for us. The client throws ApiException with a numeric `code` (the
 * HTTP status), the raw JSON `body` and lower-cased `headers`; transport failures are plain
 * errors without a numeric code (spec §2.7), so those are told apart first.
 */
export type HubSpotErrorKind =
  | 'auth' // 401: the token is wrong, revoked or expired
  | 'budget' // 429 DAILY: the portal's daily limit is used up; stop cleanly until tomorrow
  | 'rate_limited' // 429 TEN_SECONDLY_ROLLING / SECONDLY: wait (Retry-After) and retry
  | 'unavailable' // 5xx, timeouts, network, unparseable answers: retry later
  | 'missing_scopes' // 403: the object or feature is not granted to the app (or not in the tier)
  | 'not_found' // 404
  | 'conflict' // 409: exists already
  | 'request'; // any other refusal: a bug or a config problem

export interface ClassifiedError {
  kind: HubSpotErrorKind;
  /** HubSpot's category (VALIDATION_ERROR, RATE_LIMITS…), a policy name, or a transport code. */
  code: string;
  message: string;
  status: number | null;
  retryAfterMs: number | undefined;
}

interface ApiFailure {
  code?: unknown;
  body?: { message?: unknown; category?: unknown; policyName?: unknown } | null;
  headers?: Record<string, string>;
  message?: unknown;
  name?: unknown;
  cause?: { code?: unknown };
}

/** How long a 429 of each policy should wait when HubSpot sends no Retry-After. */
const POLICY_WAIT_MS: Record<string, number> = { TEN_SECONDLY_ROLLING: 10_000, SECONDLY: 1000 };

export function classifyHubSpotError(error: unknown): ClassifiedError {
  const failure = (error ?? {}) as ApiFailure;
  const text = typeof failure.message === 'string' ? failure.message : String(error);
  if (typeof failure.code === 'number') {
    const status = failure.code;
    const body = failure.body && typeof failure.body === 'object' ? failure.body : {};
    const category = typeof body.category === 'string' ? body.category : `HTTP_${status}`;
    const message = typeof body.message === 'string' ? body.message : `HTTP ${status}`;
    const policy = typeof body.policyName === 'string' ? body.policyName : null;
    const retryAfter = failure.headers?.['retry-after'];
    const retryAfterMs = retryAfter ? parseRetryAfter(retryAfter) : undefined;
    const result = (kind: HubSpotErrorKind, code = category): ClassifiedError => ({
      kind,
      code,
      message,
      status,
      retryAfterMs,
    });
    if (status === 401) return result('auth');
    if (status === 429) {
      if (policy === 'DAILY') return result('budget', policy);
      return {
        ...result('rate_limited', policy ?? category),
        retryAfterMs: retryAfterMs ?? POLICY_WAIT_MS[policy ?? ''] ?? 10_000,
      };
    }
    if (status === 403) return result(category === 'MISSING_SCOPES' ? 'missing_scopes' : 'request');
    if (status === 404) return result('not_found');
    if (status === 409) return result('conflict');
    if (status >= 500) return result('unavailable');
    if (status < 300) return result('request', 'UNEXPECTED_STATUS');
    return result('request');
  }
  const code =
    (typeof failure.cause?.code === 'string' && failure.cause.code) ||
    (typeof failure.code === 'string' && failure.code) ||
    (typeof failure.name === 'string' && failure.name) ||
    'UNKNOWN';
  // fetch failed (network), a body without a Content-Type (a proxy's 502), broken JSON, our timeout.
  if (
    text === 'fetch failed' ||
    text.startsWith('Cannot parse content') ||
    error instanceof SyntaxError ||
    code === 'TimeoutError' ||
    /^E[A-Z]+$|^UND_ERR/.test(code)
  )
    return { kind: 'unavailable', code, message: text, status: null, retryAfterMs: undefined };
  return { kind: 'request', code, message: text, status: null, retryAfterMs: undefined };
}

/** The attain error class for a HubSpot failure, for the stage and the worker's retry policy. */
export function toAttainError(error: unknown, what: string): AttainError {
  const { kind, code, message, retryAfterMs } = classifyHubSpotError(error);
  return crmFailureToAttainError(
    'HubSpot',
    what,
    { class: failureClass(kind), code, message, retryAfterMs },
    error,
  );
}

function failureClass(kind: HubSpotErrorKind): CrmFailureClass {
  if (kind === 'auth' || kind === 'budget') return kind;
  return kind === 'rate_limited' || kind === 'unavailable' ? 'retryable' : 'request';
}
