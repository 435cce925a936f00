import { z } from 'zod';
import { HEADLINE_COLUMNS } from './figures.ts';
import type { DigestPeriod, HeadlineChange, PeriodKind, RepLine } from './model.ts';

/**
 * What a sent digest remembers (digest_log.snapshot): its headline numbers per period and each
 * rep's quarter attainment and bookings. The next digest of the same schedule diffs against it.
 * Numbers and rep ids only — no names, addresses or secrets.
 */

const periodSnapshotSchema = z.object({
  start: z.string(),
  label: z.string(),
  headline: z.record(z.string(), z.number().nullable()),
});

const snapshotSchema = z.object({
  version: z.literal(1),
  asOf: z.string(),
  periods: z.object({ quarter: periodSnapshotSchema.optional(), month: periodSnapshotSchema.optional() }),
  reps: z.record(z.string(), z.object({ attainment: z.number().nullable(), bookings: z.number() })),
});

export type DigestSnapshot = z.infer<typeof snapshotSchema>;
export type RepSnapshot = DigestSnapshot['reps'][string];

export function snapshotOf(asOf: string, periods: readonly Omit<DigestPeriod, 'changes'>[]): DigestSnapshot {
  const snapshot: DigestSnapshot = { version: 1, asOf, periods: {}, reps: {} };
  for (const period of periods) {
    snapshot.periods[period.kind] = {
      start: period.start,
      label: period.label,
      headline: Object.fromEntries(HEADLINE_COLUMNS.map((column) => [column.key, period.team[column.key]])),
    };
    if (period.kind === 'quarter') {
      for (const rep of period.reps) {
        snapshot.reps[rep.repId] = { attainment: rep.figures.attainment, bookings: rep.figures.bookings };
      }
    }
  }
  return snapshot;
}

/** A stored snapshot, or null if it is missing or from an incompatible version (no diff then). */
export function readSnapshot(value: unknown): DigestSnapshot | null {
  const parsed = snapshotSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/**
 * The change of each headline number since the previous digest, or null when the previous digest
 * covered another period (a new quarter starts from zero; a diff across periods means nothing).
 */
export function headlineChanges(
  period: Pick<DigestPeriod, 'kind' | 'start' | 'team'>,
  previous: DigestSnapshot | null,
): HeadlineChange[] | null {
  const before = previous?.periods[period.kind];
  if (!before || before.start !== period.start) return null;
  return HEADLINE_COLUMNS.map(({ key }) => {
    const current = period.team[key];
    const earlier = before.headline[key] ?? null;
    return {
      key,
      previous: earlier,
      current,
      change: current === null || earlier === null ? null : current - earlier,
    };
  });
}

/** The previous quarter snapshot of a rep, when the previous digest covered the same quarter. */
export function previousRep(
  rep: RepLine,
  kind: PeriodKind,
  start: string,
  previous: DigestSnapshot | null,
): RepSnapshot | null {
  if (kind !== 'quarter' || previous?.periods.quarter?.start !== start) return null;
  return previous.reps[rep.repId] ?? null;
}
