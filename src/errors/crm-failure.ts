import { ApiBudgetExhaustedError } from './api-budget-exhausted-error.ts';
import { AttainError } from './attain-error.ts';
import { CrmAuthError } from './crm-auth-error.ts';
import { CrmRequestError } from './crm-request-error.ts';
import { CrmUnavailableError } from './crm-unavailable-error.ts';

/** What a classified CRM failure means for the stage and the worker's retry policy. */
export type CrmFailureClass = 'auth' | 'budget' | 'retryable' | 'request';

export interface CrmFailure {
  class: CrmFailureClass;
  code: string;
  message: string;
  /** The CRM's wait hint (Retry-After), for retryable failures. */
  retryAfterMs?: number | undefined;
}

/**
 * The attain error class for a provider's classified failure (each connector classifies its own
 * CRM's errors; the classes and their messages are the same for all).
 */
export function crmFailureToAttainError(
  crm: string,
  what: string,
  failure: CrmFailure,
  cause: unknown,
): AttainError {
  if (cause instanceof AttainError) return cause;
  const { code, message, retryAfterMs } = failure;
  const text = `${crm} ${what} failed: ${code}: ${message}`;
  switch (failure.class) {
    case 'auth':
      return new CrmAuthError(text, { code, cause });
    case 'budget':
      return new ApiBudgetExhaustedError(`${crm} daily API limit reached during ${what}: ${message}`, {
        cause,
      });
    case 'retryable':
      return new CrmUnavailableError(text, {
        code,
        cause,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
    default:
      return new CrmRequestError(text, { code, cause });
  }
}
