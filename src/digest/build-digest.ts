import type { DigestData } from './digest-data.ts';
import type { DigestFormatter } from './format.ts';
import { computeInsights } from './insights.ts';
import type { Digest, DigestPeriod, DigestSlot, LeaderboardEntry } from './model.ts';
import type { InsightSettings } from './settings.ts';
import { headlineChanges, type DigestSnapshot } from './snapshot.ts';

/** The last digest this recipient got on this channel from this schedule. */
export interface PreviousDigest {
  slot: Date;
  snapshot: DigestSnapshot;
}

export interface BuildDigestInput {
  connectionId: string;
  data: DigestData;
  previous: PreviousDigest | null;
  slot: DigestSlot | null;
  insights: InsightSettings;
  fmt: DigestFormatter;
}

export const LEADERBOARD_SIZE = 5;

/** Assembles a digest from its data and the previous digest; pure, so every renderer agrees. */
export function buildDigest(input: BuildDigestInput): Digest {
  const { data, previous, fmt } = input;
  const snapshot = previous?.snapshot ?? null;
  const periods: DigestPeriod[] = data.periods.map((period) => ({
    ...period,
    changes: headlineChanges(period, snapshot),
  }));
  const quarter = periods.find((period) => period.kind === 'quarter');
  const audience = data.audience;
  return {
    connectionId: input.connectionId,
    audience,
    title: audience.kind === 'team' ? `${audience.managerName}’s team` : 'Whole organization',
    asOf: data.asOf,
    periods,
    leaderboard: leaderboard(quarter ?? periods[0]),
    insights: computeInsights({
      quarter,
      groupNoun: audience.kind === 'team' ? 'team' : 'organization',
      previous: snapshot,
      wonDeals: data.wonDeals,
      settings: input.insights,
      fmt,
    }),
    previous: previous ? { slot: previous.slot, asOf: previous.snapshot.asOf } : null,
    slot: input.slot,
  };
}

/** Reps by attainment (those without a quota last, by bookings), best first. */
function leaderboard(period: DigestPeriod | undefined): LeaderboardEntry[] {
  if (!period) return [];
  return [...period.reps]
    .sort(
      (a, b) =>
        (b.figures.attainment ?? -Infinity) - (a.figures.attainment ?? -Infinity) ||
        b.figures.bookings - a.figures.bookings ||
        a.name.localeCompare(b.name, 'en'),
    )
    .slice(0, LEADERBOARD_SIZE)
    .map((rep, index) => ({
      rank: index + 1,
      repId: rep.repId,
      name: rep.name,
      attainment: rep.figures.attainment,
      bookings: rep.figures.bookings,
      paceStatus: rep.figures.paceStatus,
    }));
}
