import type { StageContext } from '../stage.ts';
import { buildDigest } from './build-digest.ts';
import { loadDigestData, type DigestData } from './digest-data.ts';
import { previousSent } from './digest-log.ts';
import type { DigestFormatter } from './format.ts';
import type { Digest, DigestSlot } from './model.ts';
import type { Recipient } from './recipients.ts';
import type { DigestChannel } from './settings.ts';

/** The numbers of one recipient's digest at `asOf`; null when the KPI table has no row for them. */
export function loadRecipientData(
  ctx: StageContext,
  recipient: Recipient,
  asOf: string,
): Promise<DigestData | null> {
  return loadDigestData(ctx.db, {
    connectionId: ctx.connection.id,
    audience: recipient.audience,
    asOf,
    timeZone: ctx.config.org.timezone,
    minCycleDays: ctx.config.digests.insights.longCycleMinDays,
  });
}

/**
 * The digest as this recipient gets it on this channel: with a slot, the changes are measured
 * against what the same schedule last sent them there.
 */
export async function composeDigest(
  ctx: StageContext,
  recipient: Recipient,
  data: DigestData,
  options: { slot: DigestSlot | null; channel: DigestChannel; fmt: DigestFormatter },
): Promise<Digest> {
  const previous = options.slot
    ? await previousSent(ctx.db, {
        connectionId: ctx.connection.id,
        schedule: options.slot.schedule,
        recipient: recipient.key,
        channel: options.channel,
        slot: options.slot.slot,
      })
    : null;
  return buildDigest({
    connectionId: ctx.connection.id,
    data,
    previous,
    slot: options.slot,
    insights: ctx.config.digests.insights,
    fmt: options.fmt,
  });
}
