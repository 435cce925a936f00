import pRetry, { AbortError } from 'p-retry';
import type { RetrySettings } from './settings.ts';

export interface RetryOptions {
  retry: RetrySettings;
  signal: AbortSignal;
  /** Failures that another attempt cannot fix end the retries at once. */
  isPermanent(error: unknown): boolean;
  onFailedAttempt(error: Error, attempt: number, willRetry: boolean): void;
}

export type Settled<T> =
  { ok: true; value: T; attempts: number } | { ok: false; error: Error; attempts: number };

/**
 * Runs `operation` up to `retry.attempts` times with exponential backoff (minDelayMs doubling up
 * to maxDelayMs) and settles with its value or its last error, and how many attempts it took.
 */
export async function withRetry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<Settled<T>> {
  let attempts = 0;
  try {
    const value = await pRetry(
      async () => {
        attempts += 1;
        try {
          return await operation();
        } catch (error) {
          throw options.isPermanent(error) ? new AbortError(error as Error) : error;
        }
      },
      {
        retries: options.retry.attempts - 1,
        minTimeout: options.retry.minDelayMs,
        maxTimeout: options.retry.maxDelayMs,
        factor: 2,
        signal: options.signal,
        onFailedAttempt: ({ error, attemptNumber, retriesLeft }) =>
          options.onFailedAttempt(error, attemptNumber, retriesLeft > 0),
      },
    );
    return { ok: true, value, attempts };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error : new Error(String(error)), attempts };
  }
}
