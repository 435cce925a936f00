import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { DigestChannel } from './settings.ts';
import { readSnapshot, type DigestSnapshot } from './snapshot.ts';

/**
 * digest_log is the send-once guarantee: one row per (connection, schedule, recipient, channel,
 * slot). A sender claims the row before sending and only the claim's holder (its run) may close
 * it, so several schedulers, retried jobs or a human with `attain digest --send` can all call at
 * once and each message still goes out once.
 */

export interface SlotKey {
  connectionId: string;
  schedule: string;
  recipient: string;
  channel: DigestChannel;
  slot: Date;
}

export interface Claim {
  id: number;
  runId: number;
}

export type ClaimRefusal = 'already_sent' | 'in_progress';

/**
 * Claims the slot for `runId`, atomically: a new row, or a 'failed' row (retry it), or a
 * 'sending' row whose claim is older than the lease (its sender died). Anything else — sent, or
 * being sent by someone alive — is refused, and the reason returned.
 */
export async function claimSlot(
  db: Kysely<DB>,
  key: SlotKey,
  claim: { runId: number; now: Date; leaseSeconds: number; managerRepId: string | null; destination: string },
): Promise<Claim | ClaimRefusal> {
  const staleBefore = new Date(claim.now.getTime() - claim.leaseSeconds * 1000);
  const row = await db
    .insertInto('digest_log')
    .values({
      connection_id: key.connectionId,
      schedule: key.schedule,
      recipient: key.recipient,
      channel: key.channel,
      slot: key.slot,
      status: 'sending',
      manager_rep_id: claim.managerRepId,
      run_id: claim.runId,
      claimed_at: claim.now,
      created_at: claim.now,
      destination: claim.destination,
    })
    .onConflict((conflict) =>
      conflict
        .columns(['connection_id', 'schedule', 'recipient', 'channel', 'slot'])
        .doUpdateSet({
          status: 'sending',
          run_id: claim.runId,
          claimed_at: claim.now,
          destination: claim.destination,
          error: null,
        })
        .where((eb) =>
          eb.or([
            eb('digest_log.status', '=', 'failed'),
            eb.and([eb('digest_log.status', '=', 'sending'), eb('digest_log.claimed_at', '<', staleBefore)]),
          ]),
        ),
    )
    .returning('id')
    .executeTakeFirst();
  if (row) return { id: row.id, runId: claim.runId };
  const existing = await db
    .selectFrom('digest_log')
    .select('status')
    .where('connection_id', '=', key.connectionId)
    .where('schedule', '=', key.schedule)
    .where('recipient', '=', key.recipient)
    .where('channel', '=', key.channel)
    .where('slot', '=', key.slot)
    .executeTakeFirst();
  // A row that was 'failed' a moment ago was re-claimed by another caller between our two reads.
  return existing?.status === 'sent' ? 'already_sent' : 'in_progress';
}

export async function markSent(
  db: Kysely<DB>,
  claim: Claim,
  outcome: { messageId: string | null; snapshot: DigestSnapshot; attempts: number; now: Date },
): Promise<void> {
  await db
    .updateTable('digest_log')
    .set((eb) => ({
      status: 'sent',
      message_id: outcome.messageId,
      snapshot: JSON.stringify(outcome.snapshot),
      attempts: eb('attempts', '+', outcome.attempts),
      sent_at: outcome.now,
      error: null,
    }))
    .where('id', '=', claim.id)
    .where('run_id', '=', claim.runId)
    .execute();
}

/** Records a send that gave up; `error` must already be free of secrets. */
export async function markFailed(
  db: Kysely<DB>,
  claim: Claim,
  outcome: { error: string; attempts: number },
): Promise<void> {
  await db
    .updateTable('digest_log')
    .set((eb) => ({
      status: 'failed',
      error: outcome.error,
      attempts: eb('attempts', '+', outcome.attempts),
    }))
    .where('id', '=', claim.id)
    .where('run_id', '=', claim.runId)
    .execute();
}

/** The last digest sent to this recipient on this channel by this schedule before `slot`. */
export async function previousSent(
  db: Kysely<DB>,
  key: SlotKey,
): Promise<{ slot: Date; snapshot: DigestSnapshot } | null> {
  const row = await db
    .selectFrom('digest_log')
    .select(['slot', 'snapshot'])
    .where('connection_id', '=', key.connectionId)
    .where('schedule', '=', key.schedule)
    .where('recipient', '=', key.recipient)
    .where('channel', '=', key.channel)
    .where('status', '=', 'sent')
    .where('slot', '<', key.slot)
    .orderBy('slot', 'desc')
    .limit(1)
    .executeTakeFirst();
  const snapshot = row ? readSnapshot(row.snapshot) : null;
  return row && snapshot ? { slot: row.slot, snapshot } : null;
}
