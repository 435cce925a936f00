import { AttainError } from './attain-error.ts';

/**
 * The CRM rejected our credentials (bad client secret, revoked token, a refresh loop tripped the
 * circuit breaker). Retrying cannot help until a human fixes the connection: not retryable.
 */
export class CrmAuthError extends AttainError {
  readonly code: string;

  constructor(message: string, options: { code: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}
