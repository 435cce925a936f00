import { AttainError } from './attain-error.ts';

/**
 * The connection reached its API budget (the configured share of the CRM's daily limit, or the
 * CRM's own limit). Not a failure: the stage stops cleanly with its state saved, and the next
 * scheduled run continues once quota is available again.
 */
export class ApiBudgetExhaustedError extends AttainError {
  readonly used: number | undefined;
  readonly limit: number | undefined;

  constructor(message: string, options: { used?: number; limit?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.used = options.used;
    this.limit = options.limit;
  }
}
