import type { DigestFormatter } from './format.ts';
import type { DigestPeriod, Insight, InsightKind, WonDeal } from './model.ts';
import type { InsightSettings } from './settings.ts';
import { previousRep, type DigestSnapshot } from './snapshot.ts';

/**
 * Plain-language findings from the quarter's numbers. Deterministic (same data, same sentences),
 * every sentence quotes the figures it rests on, and the list is ranked so each kind of finding
 * gets a turn before any kind gets a second one: the team's pace, reps at risk, the largest
 * movers since the last digest, discounting well above the team's, and unusually long wins.
 */

export interface InsightInput {
  quarter: DigestPeriod | undefined;
  /** 'team' or 'organization': how the sentences name the group. */
  groupNoun: string;
  previous: DigestSnapshot | null;
  wonDeals: readonly WonDeal[];
  settings: InsightSettings;
  fmt: DigestFormatter;
}

// Most findings of one kind a digest shows; the rest would crowd out the other kinds.
const PER_KIND: Record<InsightKind, number> = {
  team_pace: 1,
  rep_at_risk: 3,
  mover: 2,
  discount_depth: 2,
  long_cycle: 2,
};
const KIND_ORDER: readonly InsightKind[] = [
  'team_pace',
  'rep_at_risk',
  'mover',
  'discount_depth',
  'long_cycle',
];

interface Candidate extends Insight {
  /** Larger = more important within its kind. */
  weight: number;
  /** Tie-breaker that keeps the order stable. */
  key: string;
}

export function computeInsights(input: InsightInput): Insight[] {
  const { quarter } = input;
  if (!quarter) return [];
  const byKind = new Map<InsightKind, Candidate[]>();
  for (const candidate of [
    ...teamPace(quarter, input),
    ...repsAtRisk(quarter, input),
    ...movers(quarter, input),
    ...discountDepth(quarter, input),
    ...longCycles(quarter, input),
  ]) {
    const list = byKind.get(candidate.kind) ?? [];
    list.push(candidate);
    byKind.set(candidate.kind, list);
  }
  const ranked: Candidate[][] = KIND_ORDER.map((kind) =>
    (byKind.get(kind) ?? [])
      .sort((a, b) => b.weight - a.weight || a.key.localeCompare(b.key, 'en'))
      .slice(0, PER_KIND[kind]),
  );
  const out: Insight[] = [];
  for (let round = 0; out.length < input.settings.max; round++) {
    const turn = ranked.flatMap((list) => list.slice(round, round + 1));
    if (turn.length === 0) break;
    for (const { kind, text, numbers } of turn) {
      if (out.length < input.settings.max) out.push({ kind, text, numbers });
    }
  }
  return out;
}

function remaining(quota: number, bookings: number): number {
  return Math.max(0, quota - bookings);
}

function pipelineClause(fmt: DigestFormatter, pipeline: number, coverage: number | null): string {
  if (pipeline === 0) return 'no open pipeline closes this quarter';
  return `${fmt.value('ratio', coverage)} coverage of open pipeline (${fmt.value('money', pipeline)})`;
}

function teamPace(quarter: DigestPeriod, { fmt, groupNoun }: InsightInput): Candidate[] {
  const team = quarter.team;
  if (team.quota === null || (team.paceStatus !== 'behind' && team.paceStatus !== 'at_risk')) return [];
  const needed = remaining(team.quota, team.bookings);
  const status = team.paceStatus === 'at_risk' ? 'at risk' : 'behind pace';
  return [
    {
      kind: 'team_pace',
      weight: needed,
      key: groupNoun,
      text:
        `The ${groupNoun} is ${status}: ${fmt.value('percent', team.attainment)} of the ` +
        `${fmt.value('money', team.quota)} ${quarter.label} quota with ` +
        `${fmt.value('percent', team.expectedToDate)} of the quarter gone; it needs ` +
        `${fmt.value('money', needed)} more — ${pipelineClause(fmt, team.pipeline, team.pipelineCoverage)}.`,
      numbers: {
        attainment: team.attainment ?? 0,
        quota: team.quota,
        bookings: team.bookings,
        expectedToDate: team.expectedToDate,
        needed,
        pipeline: team.pipeline,
        ...(team.pipelineCoverage === null ? {} : { pipelineCoverage: team.pipelineCoverage }),
      },
    },
  ];
}

function repsAtRisk(quarter: DigestPeriod, { fmt }: InsightInput): Candidate[] {
  return quarter.reps.flatMap(({ repId, name, figures }) => {
    if (figures.paceStatus !== 'at_risk' || figures.quota === null) return [];
    const needed = remaining(figures.quota, figures.bookings);
    return [
      {
        kind: 'rep_at_risk' as const,
        weight: needed,
        key: repId,
        text:
          `${name} is at risk: ${fmt.value('percent', figures.attainment)} of a ` +
          `${fmt.value('money', figures.quota)} quota with ${fmt.value('percent', figures.expectedToDate)} ` +
          `of the quarter gone; needs ${fmt.value('money', needed)} more — ` +
          `${pipelineClause(fmt, figures.pipeline, figures.pipelineCoverage)}.`,
        numbers: {
          repId,
          attainment: figures.attainment ?? 0,
          quota: figures.quota,
          bookings: figures.bookings,
          expectedToDate: figures.expectedToDate,
          needed,
          pipeline: figures.pipeline,
          ...(figures.pipelineCoverage === null ? {} : { pipelineCoverage: figures.pipelineCoverage }),
        },
      },
    ];
  });
}

/** The rep who gained the most bookings since the last digest, and the one who lost the most. */
function movers(quarter: DigestPeriod, { fmt, previous }: InsightInput): Candidate[] {
  if (!previous) return [];
  const since = `since the last digest (data as of ${fmt.date(previous.asOf)})`;
  const moves = quarter.reps.flatMap((rep) => {
    const before = previousRep(rep, quarter.kind, quarter.start, previous);
    if (!before) return [];
    const change = rep.figures.bookings - before.bookings;
    return change === 0 ? [] : [{ rep, before, change }];
  });
  const up = moves.filter((m) => m.change > 0).sort((a, b) => b.change - a.change)[0];
  const down = moves.filter((m) => m.change < 0).sort((a, b) => a.change - b.change)[0];
  return [up, down].flatMap((move) => {
    if (!move) return [];
    const { rep, before, change } = move;
    const attainment =
      before.attainment !== null && rep.figures.attainment !== null
        ? ` and from ${fmt.value('percent', before.attainment)} to ${fmt.value('percent', rep.figures.attainment)} of quota`
        : '';
    return [
      {
        kind: 'mover' as const,
        weight: Math.abs(change),
        key: rep.repId,
        text:
          `${rep.name} ${change > 0 ? 'gained' : 'lost'} ${fmt.value('money', Math.abs(change))} in bookings ${since}: ` +
          `from ${fmt.value('money', before.bookings)} to ${fmt.value('money', rep.figures.bookings)}${attainment}.`,
        numbers: {
          repId: rep.repId,
          previousBookings: before.bookings,
          bookings: rep.figures.bookings,
          change,
          ...(before.attainment === null ? {} : { previousAttainment: before.attainment }),
          ...(rep.figures.attainment === null ? {} : { attainment: rep.figures.attainment }),
        },
      },
    ];
  });
}

function discountDepth(quarter: DigestPeriod, { fmt, settings, groupNoun }: InsightInput): Candidate[] {
  const teamDiscount = quarter.team.avgDiscount;
  if (teamDiscount === null) return [];
  return quarter.reps.flatMap(({ repId, name, figures }) => {
    const discount = figures.avgDiscount;
    if (
      discount === null ||
      figures.discountGross === 0 ||
      discount - teamDiscount < settings.discountAboveTeamPoints ||
      discount < teamDiscount * settings.discountAboveTeamFactor
    ) {
      return [];
    }
    return [
      {
        kind: 'discount_depth' as const,
        weight: discount - teamDiscount,
        key: repId,
        text:
          `${name} gives an average discount of ${fmt.value('percentPrecise', discount)} on won deals ` +
          `(${fmt.value('money', figures.discountGross)} at list price), well above the ${groupNoun}’s ` +
          `${fmt.value('percentPrecise', teamDiscount)} this quarter.`,
        numbers: {
          repId,
          avgDiscount: discount,
          teamAvgDiscount: teamDiscount,
          listValue: figures.discountGross,
        },
      },
    ];
  });
}

function longCycles(
  quarter: DigestPeriod,
  { fmt, settings, wonDeals, groupNoun }: InsightInput,
): Candidate[] {
  const average = quarter.team.avgCycleDays;
  if (average === null || average <= 0) return [];
  const threshold = Math.max(settings.longCycleMinDays, average * settings.longCycleFactor);
  return wonDeals.flatMap((deal) => {
    if (deal.cycleDays < threshold) return [];
    const multiple = deal.cycleDays / average;
    return [
      {
        kind: 'long_cycle' as const,
        weight: deal.cycleDays,
        key: deal.opportunityId,
        text:
          `${deal.name} (${deal.repName}, ${fmt.value('money', deal.amount)}, won ${fmt.date(deal.closeDate)}) ` +
          `took ${fmt.value('days', deal.cycleDays)} to close — ${fmt.value('ratio', multiple)} the ${groupNoun}’s ` +
          `average cycle of ${fmt.value('days', average)}.`,
        numbers: {
          opportunityId: deal.opportunityId,
          repId: deal.repId,
          cycleDays: deal.cycleDays,
          teamAvgCycleDays: average,
          ...(deal.amount === null ? {} : { amount: deal.amount }),
        },
      },
    ];
  });
}
