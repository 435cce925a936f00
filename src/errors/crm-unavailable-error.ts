import { AttainError } from './attain-error.ts';

/**
 * The CRM could not serve the request right now (5xx, 429, network failure) even after the
 * client's own retries. Retryable later; `retryAfterMs` is the CRM's hint when it gave one.
 */
export class CrmUnavailableError extends AttainError {
  readonly code: string;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { code: string; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.retryAfterMs = options.retryAfterMs;
  }
}
