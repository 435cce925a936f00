import { AttainError } from '../errors/attain-error.ts';
import type { DigestOutcome } from './send-digests.ts';

/**
 * Not one digest of the slot could be delivered. Each failure is already recorded in digest_log
 * (status 'failed', with its error) and the next call for the same slot retries it.
 */
export class DigestDeliveryError extends AttainError {
  readonly outcomes: DigestOutcome[];

  constructor(outcomes: DigestOutcome[]) {
    const failed = outcomes.filter((outcome) => outcome.status === 'failed');
    const lines = failed.map(
      (outcome) => `  - ${outcome.recipient} (${outcome.channel}): ${outcome.error ?? ''}`,
    );
    super(`no digest could be sent; ${failed.length} failed:\n${lines.join('\n')}`);
    this.outcomes = outcomes;
  }
}
