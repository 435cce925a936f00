import { UnrecoverableError, type BackoffStrategy } from 'bullmq';
import { AttainError } from '../src/errors/attain-error.ts';
import { CrmAuthError } from '../src/errors/crm-auth-error.ts';
import { CrmRequestError } from '../src/errors/crm-request-error.ts';
import { CrmUnavailableError } from '../src/errors/crm-unavailable-error.ts';
import { redactString } from '../src/secrets.ts';

/**
 * What a failed job means for BullMQ:
 * - bad credentials, a request the CRM refuses, bad config or usage (exit code 2): retrying cannot
 *   help until a human acts, so the job fails at once (UnrecoverableError), no retry storm;
 * - anything else (CRM unavailable, a database or network blip) is retried with backoff.
 * The message and stack are redacted first: BullMQ stores them in Redis in clear text.
 */
export function toJobError(error: unknown): Error {
  const failure = error instanceof Error ? error : new Error(String(error));
  failure.message = redactString(failure.message);
  if (failure.stack) failure.stack = redactString(failure.stack);
  if (
    failure instanceof CrmAuthError ||
    failure instanceof CrmRequestError ||
    (failure instanceof AttainError && failure.exitCode === 2)
  ) {
    return new UnrecoverableError(`${failure.name}: ${failure.message}`);
  }
  return failure;
}

/**
 * Retry delays: exponential from the job's `backoff.delay` (±20 % jitter so retries of many jobs
 * spread out), at most `maxMs` — but never sooner than the CRM's Retry-After when it sent one.
 */
export function retryDelayStrategy(maxMs: number): BackoffStrategy {
  return (attemptsMade, _type, error, job) => {
    const backoff = job?.opts.backoff;
    const base = typeof backoff === 'object' ? (backoff.delay ?? 0) : (backoff ?? 0);
    const exponential = Math.min(maxMs, base * 2 ** Math.max(0, attemptsMade - 1));
    const jittered = Math.round(exponential * (0.8 + Math.random() * 0.4));
    return Math.max(jittered, retryAfterOf(error) ?? 0);
  };
}

/** The Retry-After carried by the error or any of its causes. */
function retryAfterOf(error: unknown): number | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof CrmUnavailableError && current.retryAfterMs !== undefined)
      return current.retryAfterMs;
  }
  return undefined;
}
