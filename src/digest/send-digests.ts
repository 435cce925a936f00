import { DateTime } from 'luxon';
import { redactString } from '../secrets.ts';
import { runStage, type StageContext, type StageRun } from '../stage.ts';
import { composeDigest, loadRecipientData } from './compose-digest.ts';
import { DigestDeliveryError } from './digest-delivery-error.ts';
import { latestAsOf, type DigestData } from './digest-data.ts';
import { claimSlot, markFailed, markSent, type Claim, type SlotKey } from './digest-log.ts';
import {
  createEmailSender,
  digestMessageId,
  isPermanentSmtpError,
  type EmailSender,
} from './email-sender.ts';
import { createFormatter, type DigestFormatter } from './format.ts';
import { MissingKpisError } from './missing-kpis-error.ts';
import type { Digest, DigestSlot } from './model.ts';
import { resolveRecipients, type Recipient } from './recipients.ts';
import { renderEmail, type RenderedEmail } from './render-email.ts';
import { renderSlack, type SlackMessage } from './render-slack.ts';
import { findSchedule, type ResolvedSchedule } from './schedules.ts';
import type { DigestChannel } from './settings.ts';
import { isPermanentSlackError, postSlackMessage } from './slack-sender.ts';
import { slotFor } from './slot.ts';
import { snapshotOf, type DigestSnapshot } from './snapshot.ts';
import { withRetry, type Settled } from './with-retry.ts';

export interface SendDigestsInput {
  /** A configured schedule name (digests.schedules[].name). */
  schedule: string;
  /** The slot: a tick of the schedule. Any instant is taken to mean the latest tick at or before it. */
  slot: Date;
  /** false: build and render every digest, claim and send nothing (a dry run). */
  send: boolean;
  /** Only these managers (rep ids or emails; 'org' for the org digest). */
  managers?: string[];
}

export type DigestOutcomeStatus = 'sent' | 'already_sent' | 'in_progress' | 'failed' | 'skipped' | 'rendered';

/** What happened to one (recipient, channel) of the slot. */
export interface DigestOutcome {
  recipient: string;
  name: string;
  channel: DigestChannel;
  status: DigestOutcomeStatus;
  destination?: string;
  messageId?: string | null;
  attempts?: number;
  /** Why it failed or was skipped; free of secrets. */
  error?: string;
}

export interface DigestPreview {
  recipient: string;
  email: RenderedEmail;
  slack: SlackMessage;
}

export interface SendDigestsResult {
  schedule: string;
  slot: Date;
  asOf: string;
  outcomes: DigestOutcome[];
  /** Dry runs only: what would have been sent. */
  previews: DigestPreview[];
}

/**
 * The digest stage for one schedule slot: every recipient's digest on every channel of the
 * schedule, each sent at most once per slot however many callers race for it (digest_log claims).
 * A send that fails is retried in-call with backoff, then recorded as 'failed' with its error and
 * reported; the run ends 'partial', or fails when nothing could be sent, and the next call for the
 * same slot retries exactly the failed ones. Reads rep_period_kpis at the latest as_of on or
 * before the slot's date; never computes a KPI.
 */
export async function sendDigests(
  ctx: StageContext,
  input: SendDigestsInput,
): Promise<StageRun<SendDigestsResult>> {
  const schedule = findSchedule(ctx.config, input.schedule, ctx.connection);
  const slot = slotFor(schedule, input.slot);
  const slotDate = DateTime.fromJSDate(slot, { zone: ctx.config.org.timezone }).toISODate()!;
  const asOf = await latestAsOf(ctx.db, ctx.connection.id, slotDate);
  return runStage(ctx, 'digest', { asOf }, async (runId) => {
    if (asOf === null) throw new MissingKpisError(ctx.connection.id, slotDate);
    const { recipients, problems } = await resolveRecipients(
      ctx.db,
      ctx.connection.id,
      schedule,
      input.managers,
    );
    const outcomes: DigestOutcome[] = problems.flatMap((problem) => {
      ctx.logger.warn({ recipient: problem.recipient, reason: problem.reason }, 'digest recipient skipped');
      return schedule.channels.map((channel) => ({
        recipient: problem.recipient,
        name: problem.recipient,
        channel,
        status: 'skipped' as const,
        error: problem.reason,
      }));
    });
    const previews: DigestPreview[] = [];
    const delivery = new Delivery(
      ctx,
      schedule,
      { schedule: schedule.name, slot, timezone: schedule.timezone },
      runId,
    );
    try {
      for (const recipient of recipients) {
        ctx.signal.throwIfAborted();
        const data = await loadRecipientData(ctx, recipient, asOf);
        if (!data) {
          for (const channel of schedule.channels) {
            outcomes.push(
              delivery.skipped(recipient, channel, `no team KPIs in rep_period_kpis as of ${asOf}`),
            );
          }
          continue;
        }
        if (!input.send) {
          previews.push(await delivery.preview(recipient, data));
          for (const channel of schedule.channels) {
            outcomes.push({ ...delivery.identify(recipient, channel), status: 'rendered' });
          }
          continue;
        }
        for (const channel of schedule.channels)
          outcomes.push(await delivery.deliver(recipient, channel, data));
      }
    } finally {
      delivery.close();
    }
    const counts = countOutcomes(outcomes);
    const report = {
      schedule: schedule.name,
      slot: slot.toISOString(),
      asOf,
      dryRun: !input.send,
      outcomes: outcomes.filter((outcome) => outcome.status !== 'rendered'),
    };
    if ((counts.failed ?? 0) > 0 && (counts.sent ?? 0) === 0) throw new DigestDeliveryError(outcomes);
    const problemsLeft = (counts.failed ?? 0) + (counts.skipped ?? 0) > 0;
    return {
      result: { schedule: schedule.name, slot, asOf, outcomes, previews },
      status: problemsLeft ? 'partial' : 'succeeded',
      counts,
      report,
    };
  });
}

function countOutcomes(outcomes: readonly DigestOutcome[]): Record<string, number> {
  const counts: Record<string, number> = { recipients: new Set(outcomes.map((o) => o.recipient)).size };
  for (const outcome of outcomes) counts[outcome.status] = (counts[outcome.status] ?? 0) + 1;
  return counts;
}

/** Claims, renders, sends and records one (recipient, channel) at a time for one run. */
class Delivery {
  private readonly ctx: StageContext;
  private readonly schedule: ResolvedSchedule;
  private readonly slot: DigestSlot;
  private readonly runId: number;
  private readonly fmt: DigestFormatter;
  private email: EmailSender | null = null;

  constructor(ctx: StageContext, schedule: ResolvedSchedule, slot: DigestSlot, runId: number) {
    this.ctx = ctx;
    this.schedule = schedule;
    this.slot = slot;
    this.runId = runId;
    this.fmt = createFormatter(ctx.config.org);
  }

  identify(
    recipient: Recipient,
    channel: DigestChannel,
  ): Pick<DigestOutcome, 'recipient' | 'name' | 'channel'> {
    const name = recipient.audience.kind === 'team' ? recipient.audience.managerName : 'organization';
    return { recipient: recipient.key, name, channel };
  }

  skipped(recipient: Recipient, channel: DigestChannel, reason: string): DigestOutcome {
    this.ctx.logger.warn({ recipient: recipient.key, channel, reason }, 'digest skipped');
    return { ...this.identify(recipient, channel), status: 'skipped', error: reason };
  }

  async preview(recipient: Recipient, data: DigestData): Promise<DigestPreview> {
    const digest = await composeDigest(this.ctx, recipient, data, {
      slot: this.slot,
      channel: 'email',
      fmt: this.fmt,
    });
    return {
      recipient: recipient.key,
      email: renderEmail(digest, this.fmt),
      slack: renderSlack(digest, this.fmt),
    };
  }

  async deliver(recipient: Recipient, channel: DigestChannel, data: DigestData): Promise<DigestOutcome> {
    const ctx = this.ctx;
    if (channel === 'email' && recipient.to.length === 0) {
      return this.skipped(
        recipient,
        channel,
        'no email address (set the rep’s email or the schedule’s "to")',
      );
    }
    const destination = channel === 'email' ? recipient.to.join(', ') : 'slack';
    const key: SlotKey = {
      connectionId: ctx.connection.id,
      schedule: this.schedule.name,
      recipient: recipient.key,
      channel,
      slot: this.slot.slot,
    };
    const claim = await claimSlot(ctx.db, key, {
      runId: this.runId,
      now: ctx.now(),
      leaseSeconds: ctx.config.digests.leaseSeconds,
      managerRepId: recipient.audience.kind === 'team' ? recipient.key : null,
      destination,
    });
    const identity = { ...this.identify(recipient, channel), destination };
    if (typeof claim === 'string') return { ...identity, status: claim };
    let prepared: { snapshot: DigestSnapshot; settled: Settled<string | null> };
    try {
      const digest = await composeDigest(ctx, recipient, data, { slot: this.slot, channel, fmt: this.fmt });
      prepared = {
        snapshot: snapshotOf(digest.asOf, digest.periods),
        settled: await this.send(key, recipient, digest),
      };
    } catch (error) {
      // Building or rendering broke: the message never left, so the slot is failed, not lost.
      const failure = error instanceof Error ? error : new Error(String(error));
      return this.failed(claim, identity, { error: failure, attempts: 0 });
    }
    const { snapshot, settled } = prepared;
    if (!settled.ok) return this.failed(claim, identity, settled);
    await markSent(ctx.db, claim, {
      messageId: settled.value,
      snapshot,
      attempts: settled.attempts,
      now: ctx.now(),
    });
    return { ...identity, status: 'sent', messageId: settled.value, attempts: settled.attempts };
  }

  private async failed(
    claim: Claim,
    identity: Pick<DigestOutcome, 'recipient' | 'name' | 'channel' | 'destination'>,
    settled: { error: Error; attempts: number },
  ): Promise<DigestOutcome> {
    const error = redactString(`${settled.error.name}: ${settled.error.message}`);
    await markFailed(this.ctx.db, claim, { error, attempts: settled.attempts });
    this.ctx.logger.error(
      { recipient: identity.recipient, channel: identity.channel, attempts: settled.attempts, error },
      'digest not sent',
    );
    return { ...identity, status: 'failed', attempts: settled.attempts, error };
  }

  private send(key: SlotKey, recipient: Recipient, digest: Digest): Promise<Settled<string | null>> {
    const log = this.ctx.logger;
    const options = {
      retry: this.ctx.config.digests.retry,
      signal: this.ctx.signal,
      onFailedAttempt: (error: Error, attempt: number, willRetry: boolean) =>
        log.warn(
          {
            recipient: key.recipient,
            channel: key.channel,
            attempt,
            willRetry,
            error: redactString(error.message),
          },
          'digest send attempt failed',
        ),
    };
    if (key.channel === 'email') {
      // The config schema refuses an email schedule without digests.smtp, and a Slack one without a webhook.
      const smtp = this.ctx.config.digests.smtp!;
      this.email ??= createEmailSender(smtp);
      const sender = this.email;
      const message = {
        ...renderEmail(digest, this.fmt),
        to: recipient.to,
        messageId: digestMessageId(
          [key.connectionId, key.schedule, key.recipient, String(key.slot.getTime() / 1000)],
          smtp.from,
        ),
      };
      return withRetry<string | null>(() => sender.send(message), {
        ...options,
        isPermanent: isPermanentSmtpError,
      });
    }
    const webhookUrl = this.schedule.slackWebhookUrl ?? this.ctx.config.digests.slack!.webhookUrl;
    const payload = renderSlack(digest, this.fmt);
    return withRetry<string | null>(
      async () => {
        await postSlackMessage(webhookUrl, payload, this.ctx.signal);
        return null;
      },
      { ...options, isPermanent: isPermanentSlackError },
    );
  }

  close(): void {
    this.email?.close();
  }
}
