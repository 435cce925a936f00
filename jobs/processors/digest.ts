import { sendDigests } from '../../src/digest/send-digests.ts';
import { AttainError } from '../../src/errors/attain-error.ts';
import type { DigestPayload } from '../catalog.ts';
import type { StageJobInput, StageJobResult } from '../job-result.ts';

/**
 * One digest schedule slot. digest_log claims make every (recipient, channel) send at most once
 * per slot, so a retried or duplicated job sends only what has not been sent. When some sends
 * still fail after the stage's own retries, the job fails so BullMQ retries it with backoff: the
 * next call for the slot re-sends exactly the failed ones.
 */
export async function processDigest({ payload, ctx }: StageJobInput<DigestPayload>): Promise<StageJobResult> {
  const run = await sendDigests(ctx, {
    schedule: payload.schedule,
    slot: new Date(payload.slot),
    send: true,
  });
  const failed = run.result.outcomes.filter((outcome) => outcome.status === 'failed');
  if (failed.length > 0)
    throw new AttainError(
      `${failed.length} digest send${failed.length === 1 ? '' : 's'} of ${payload.schedule} failed ` +
        `(${failed.map((outcome) => `${outcome.recipient} by ${outcome.channel}: ${outcome.error}`).join('; ')})`,
    );
  // 'partial' here means recipients were skipped (no email, no KPIs): retrying would not help.
  return {
    runIds: [run.runId],
    status: run.status === 'partial' ? 'partial' : 'succeeded',
    budgetStopped: false,
    asOf: run.result.asOf,
  };
}
