import type { Figures } from '../../src/digest/figures.ts';
import type { Digest, DigestPeriod, RepLine } from '../../src/digest/model.ts';

/** Hand-made digest pieces for unit tests; figures default to an empty, quota-less period. */

export function figures(values: Partial<Figures> = {}): Figures {
  return {
    attainment: null,
    expectedToDate: 0.5,
    pace: null,
    paceStatus: null,
    bookings: 0,
    quota: null,
    winRate: null,
    oppsWon: 0,
    oppsLost: 0,
    avgCycleDays: null,
    cycleCount: 0,
    avgDiscount: null,
    discountGross: 0,
    pipeline: 0,
    pipelineCoverage: null,
    calls: 0,
    meetings: 0,
    proposals: 0,
    ...values,
  };
}

export function rep(repId: string, name: string, values: Partial<Figures>): RepLine {
  return { repId, name, figures: figures(values) };
}

export function quarter(team: Partial<Figures>, reps: RepLine[]): DigestPeriod {
  return {
    kind: 'quarter',
    label: 'Q3 FY2026',
    start: '2026-07-01',
    end: '2026-09-30',
    team: figures(team),
    reps,
    changes: null,
  };
}

export function digest(periods: DigestPeriod[], overrides: Partial<Digest> = {}): Digest {
  return {
    connectionId: 'sf',
    audience: { kind: 'team', managerRepId: 'M1', managerName: 'Dana Lee', managerEmail: 'dana@acme.test' },
    title: 'Dana Lee’s team',
    asOf: '2026-08-14',
    periods,
    leaderboard: [],
    insights: [],
    previous: null,
    slot: null,
    ...overrides,
  };
}
