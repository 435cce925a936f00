import { AttainError } from './attain-error.ts';

/**
 * The CRM refused a request as invalid (malformed query, unknown field, missing permission).
 * Sending it again gives the same answer: not retryable.
 */
export class CrmRequestError extends AttainError {
  readonly code: string;

  constructor(message: string, options: { code: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}
