import { DateTime } from 'luxon';
import type { StageContext } from '../stage.ts';
import { composeDigest, loadRecipientData } from './compose-digest.ts';
import { latestAsOf } from './digest-data.ts';
import { createFormatter } from './format.ts';
import { MissingKpisError } from './missing-kpis-error.ts';
import type { Digest, DigestSlot } from './model.ts';
import { resolveRecipients, type RecipientSpec } from './recipients.ts';
import { renderEmail } from './render-email.ts';
import { renderDigestCard, renderHtmlDocument } from './render-html.ts';
import type { ResolvedSchedule } from './schedules.ts';
import { slotFor } from './slot.ts';

export interface DigestPreviewResult {
  asOf: string;
  slot: DigestSlot | null;
  digests: Array<Digest & { subject: string; text: string }>;
  /** One HTML page holding every digest (what `attain digest --preview` writes). */
  html: string;
  /** Recipients that got no digest, with why. */
  skipped: string[];
}

/**
 * Renders digests without sending or claiming anything: for a schedule's current slot, or
 * (no schedule) for `spec` — by default every manager's team digest.
 */
export async function renderDigestPreview(
  ctx: StageContext,
  options: { schedule: ResolvedSchedule | null; spec?: RecipientSpec; only?: string[] },
): Promise<DigestPreviewResult> {
  const { schedule } = options;
  const now = ctx.now();
  const slot: DigestSlot | null = schedule
    ? { schedule: schedule.name, slot: slotFor(schedule, now), timezone: schedule.timezone }
    : null;
  const localDate = DateTime.fromJSDate(slot?.slot ?? now, { zone: ctx.config.org.timezone }).toISODate()!;
  const asOf = await latestAsOf(ctx.db, ctx.connection.id, localDate);
  if (asOf === null) throw new MissingKpisError(ctx.connection.id, localDate);
  const spec: RecipientSpec = schedule ?? options.spec ?? { recipients: 'managers' };
  const { recipients, problems } = await resolveRecipients(
    ctx.db,
    ctx.connection.id,
    spec,
    options.only ?? [],
  );
  const fmt = createFormatter(ctx.config.org);
  const digests: Digest[] = [];
  const skipped = problems.map((problem) => `${problem.recipient}: ${problem.reason}`);
  for (const recipient of recipients) {
    const data = await loadRecipientData(ctx, recipient, asOf);
    if (data) digests.push(await composeDigest(ctx, recipient, data, { slot, channel: 'email', fmt }));
    else skipped.push(`${recipient.key}: no team KPIs in rep_period_kpis as of ${asOf}`);
  }
  const emails = digests.map((digest) => renderEmail(digest, fmt));
  const title = digests.length === 1 ? emails[0]!.subject : `Digest preview (${digests.length} digests)`;
  const html = renderHtmlDocument(
    title,
    digests.map((digest) => renderDigestCard(digest, fmt)),
    fmt.locale,
  );
  return {
    asOf,
    slot,
    digests: digests.map((digest, index) => ({
      ...digest,
      subject: emails[index]!.subject,
      text: emails[index]!.text,
    })),
    html,
    skipped,
  };
}
