import type { Insertable, Kysely } from 'kysely';
import type { DB, PaceStatus, RepPeriodKpisTable } from '../../db/schema.ts';

/**
 * A small sales org for digest tests: a director, two managers and five reps, with rep_period_kpis
 * rows for Q3 FY2026 and August 2026 at two as_of dates a week apart (Aug 7 and Aug 14), team
 * and org roll-ups summed from the rep rows the way KPIS.md defines them (counts and numerators
 * add up, every ratio is recomputed from the sums), and a few won opportunities.
 */

export const CONNECTION = 'sf';
export const TIMEZONE = 'America/New_York';

export const REPS = [
  { rep_id: 'D', name: 'Morgan Diaz', email: 'morgan@acme.test', manager_id: null },
  { rep_id: 'M1', name: 'Dana Lee', email: 'dana@acme.test', manager_id: 'D' },
  { rep_id: 'M2', name: 'Sam Park', email: 'sam@acme.test', manager_id: 'D' },
  { rep_id: 'R1', name: 'Ana Ruiz', email: 'ana@acme.test', manager_id: 'M1' },
  { rep_id: 'R2', name: 'Ben Carter', email: 'ben@acme.test', manager_id: 'M1' },
  { rep_id: 'R3', name: 'Chloe Nguyen', email: 'chloe@acme.test', manager_id: 'M1' },
  { rep_id: 'R4', name: 'Diego Alvarez', email: 'diego@acme.test', manager_id: 'M2' },
  // CRM text is never trusted: this name must come out escaped in HTML and Slack.
  { rep_id: 'R5', name: `Erin <O'Brien> & Co`, email: 'erin@acme.test', manager_id: 'M2' },
] as const;

export const MANAGERS = { director: 'D', dana: 'M1', sam: 'M2' } as const;
export const TEAMS: Record<string, readonly string[]> = {
  D: ['D', 'M1', 'M2', 'R1', 'R2', 'R3', 'R4', 'R5'],
  M1: ['M1', 'R1', 'R2', 'R3'],
  M2: ['M2', 'R4', 'R5'],
};

export const AS_OF = { previous: '2026-08-07', current: '2026-08-14' } as const;
export const QUARTER = {
  type: 'quarter',
  start: '2026-07-01',
  end: '2026-09-30',
  label: 'Q3 FY2026',
} as const;
export const MONTH = { type: 'month', start: '2026-08-01', end: '2026-08-31', label: 'Aug 2026' } as const;
type Period = typeof QUARTER | typeof MONTH;

interface Numbers {
  quota: number | null;
  won: number;
  lost: number;
  wonAmount: number;
  lostAmount: number;
  cycleSum: number;
  cycleCount: number;
  discountGross: number;
  discountAmount: number;
  pipeline: number;
  calls: number;
  meetings: number;
  proposals: number;
}

const ZERO: Numbers = {
  quota: null,
  won: 0,
  lost: 0,
  wonAmount: 0,
  lostAmount: 0,
  cycleSum: 0,
  cycleCount: 0,
  discountGross: 0,
  discountAmount: 0,
  pipeline: 0,
  calls: 0,
  meetings: 0,
  proposals: 0,
};

const n = (values: Partial<Numbers>): Numbers => ({ ...ZERO, ...values });

/** Quarter to date as of Aug 14. */
const QUARTER_NOW: Record<string, Numbers> = {
  R1: n({
    quota: 240_000,
    won: 4,
    lost: 2,
    wonAmount: 180_000,
    lostAmount: 90_000,
    cycleSum: 200,
    cycleCount: 4,
    discountGross: 200_000,
    discountAmount: 20_000,
    pipeline: 150_000,
    calls: 40,
    meetings: 12,
    proposals: 5,
  }),
  R2: n({
    quota: 240_000,
    won: 2,
    lost: 3,
    wonAmount: 60_000,
    lostAmount: 70_000,
    cycleSum: 300,
    cycleCount: 2,
    discountGross: 80_000,
    discountAmount: 20_000,
    pipeline: 120_000,
    calls: 25,
    meetings: 6,
    proposals: 3,
  }),
  R3: n({
    quota: 210_000,
    won: 3,
    lost: 1,
    wonAmount: 95_000,
    lostAmount: 20_000,
    cycleSum: 135,
    cycleCount: 3,
    discountGross: 100_000,
    discountAmount: 8_000,
    pipeline: 210_000,
    calls: 31,
    meetings: 9,
    proposals: 4,
  }),
  R4: n({
    quota: 300_000,
    won: 3,
    lost: 3,
    wonAmount: 120_000,
    lostAmount: 60_000,
    cycleSum: 150,
    cycleCount: 3,
    discountGross: 150_000,
    discountAmount: 12_000,
    pipeline: 90_000,
    calls: 22,
    meetings: 7,
    proposals: 2,
  }),
  R5: n({
    quota: 210_000,
    won: 1,
    lost: 2,
    wonAmount: 40_000,
    lostAmount: 30_000,
    cycleSum: 60,
    cycleCount: 1,
    discountGross: 45_000,
    discountAmount: 5_000,
    pipeline: 241_000,
    calls: 18,
    meetings: 4,
    proposals: 1,
  }),
};

/** A week earlier: Ana has since closed $30,000 more; a $15,000 win of Diego's was reopened since. */
const QUARTER_BEFORE: Record<string, Numbers> = {
  ...QUARTER_NOW,
  R1: {
    ...QUARTER_NOW.R1!,
    won: 3,
    wonAmount: 150_000,
    cycleSum: 150,
    cycleCount: 3,
    calls: 33,
    meetings: 10,
  },
  R4: { ...QUARTER_NOW.R4!, won: 4, wonAmount: 135_000, cycleSum: 190, cycleCount: 4, pipeline: 75_000 },
};

const MONTH_NOW: Record<string, Numbers> = {
  R1: n({
    quota: 80_000,
    won: 1,
    lost: 1,
    wonAmount: 60_000,
    lostAmount: 20_000,
    cycleSum: 50,
    cycleCount: 1,
    discountGross: 66_000,
    discountAmount: 6_000,
    pipeline: 90_000,
    calls: 14,
    meetings: 4,
    proposals: 2,
  }),
  R2: n({
    quota: 80_000,
    lost: 1,
    lostAmount: 25_000,
    pipeline: 60_000,
    calls: 9,
    meetings: 2,
    proposals: 1,
  }),
  R3: n({
    quota: 70_000,
    won: 1,
    wonAmount: 35_000,
    cycleSum: 41,
    cycleCount: 1,
    discountGross: 37_000,
    discountAmount: 2_000,
    pipeline: 80_000,
    calls: 11,
    meetings: 3,
    proposals: 1,
  }),
  R4: n({
    quota: 100_000,
    won: 1,
    lost: 1,
    wonAmount: 20_000,
    lostAmount: 15_000,
    cycleSum: 48,
    cycleCount: 1,
    discountGross: 21_000,
    discountAmount: 1_000,
    pipeline: 40_000,
    calls: 8,
    meetings: 3,
    proposals: 1,
  }),
  R5: n({
    quota: 70_000,
    won: 1,
    wonAmount: 15_000,
    cycleSum: 60,
    cycleCount: 1,
    discountGross: 16_000,
    discountAmount: 1_000,
    pipeline: 120_000,
    calls: 6,
    meetings: 1,
  }),
};

const MONTH_BEFORE: Record<string, Numbers> = {
  ...MONTH_NOW,
  R1: { ...MONTH_NOW.R1!, won: 0, wonAmount: 30_000, cycleSum: 0, cycleCount: 0, calls: 7, meetings: 2 },
  R4: { ...MONTH_NOW.R4!, won: 2, wonAmount: 35_000, cycleSum: 88, cycleCount: 2 },
};

const DATASETS: Record<string, Record<string, Record<string, Numbers>>> = {
  [AS_OF.current]: { quarter: QUARTER_NOW, month: MONTH_NOW },
  [AS_OF.previous]: { quarter: QUARTER_BEFORE, month: MONTH_BEFORE },
};

const PACE_THRESHOLDS: [number, PaceStatus][] = [
  [1.0, 'ahead'],
  [0.9, 'on_track'],
  [0.7, 'behind'],
];

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
}

function sum(parts: Numbers[]): Numbers {
  const quotas = parts.map((part) => part.quota).filter((quota): quota is number => quota !== null);
  const total = { ...ZERO, quota: quotas.length > 0 ? quotas.reduce((a, b) => a + b, 0) : null };
  for (const part of parts) {
    for (const key of Object.keys(ZERO) as (keyof Numbers)[]) {
      if (key !== 'quota') total[key] += part[key];
    }
  }
  return total;
}

const ratio = (numerator: number, denominator: number) =>
  denominator === 0 ? null : numerator / denominator;

function kpiRow(
  scope: 'rep' | 'team' | 'org',
  repId: string,
  period: Period,
  asOf: string,
  values: Numbers,
): Insertable<RepPeriodKpisTable> {
  const expected = Math.min(
    1,
    Math.max(0, daysBetween(period.start, asOf) / daysBetween(period.start, period.end)),
  );
  const attainment = values.quota ? values.wonAmount / values.quota : null;
  const pace = attainment === null ? null : attainment / expected;
  const paceStatus =
    pace === null ? null : (PACE_THRESHOLDS.find(([threshold]) => pace >= threshold)?.[1] ?? 'at_risk');
  const remaining = values.quota === null ? null : values.quota - values.wonAmount;
  return {
    connection_id: CONNECTION,
    scope,
    rep_id: repId,
    period_type: period.type,
    period_start: period.start,
    period_end: period.end,
    as_of: asOf,
    period_label: period.label,
    calls: values.calls,
    meetings: values.meetings,
    proposals_submitted: values.proposals,
    opps_won: values.won,
    opps_lost: values.lost,
    win_rate: ratio(values.won, values.won + values.lost),
    won_amount: values.wonAmount,
    lost_amount: values.lostAmount,
    win_rate_amount: ratio(values.wonAmount, values.wonAmount + values.lostAmount),
    bookings: values.wonAmount,
    won_with_amount: values.won,
    avg_deal_size: ratio(values.wonAmount, values.won),
    cycle_days_sum: values.cycleSum,
    cycle_count: values.cycleCount,
    avg_cycle_days: ratio(values.cycleSum, values.cycleCount),
    discount_gross: values.discountGross,
    discount_amount: values.discountAmount,
    avg_discount: ratio(values.discountAmount, values.discountGross),
    pipeline: values.pipeline,
    pipeline_weighted: values.pipeline / 2,
    quota: values.quota,
    attainment,
    expected_to_date: expected,
    pace,
    pace_status: paceStatus,
    pipeline_coverage: remaining === null || remaining <= 0 ? null : values.pipeline / remaining,
  };
}

export function kpiRows(
  asOfs: readonly string[] = [AS_OF.previous, AS_OF.current],
): Insertable<RepPeriodKpisTable>[] {
  const rows: Insertable<RepPeriodKpisTable>[] = [];
  for (const asOf of asOfs) {
    for (const period of [QUARTER, MONTH]) {
      const numbers = DATASETS[asOf]![period.type]!;
      const of = (repId: string) => numbers[repId] ?? ZERO;
      // Managers carry no quota and sell nothing, but the KPI engine still writes their rep rows.
      for (const rep of REPS) rows.push(kpiRow('rep', rep.rep_id, period, asOf, of(rep.rep_id)));
      for (const [manager, members] of Object.entries(TEAMS)) {
        rows.push(kpiRow('team', manager, period, asOf, sum(members.map(of))));
      }
      rows.push(kpiRow('org', '*', period, asOf, sum(REPS.map((rep) => of(rep.rep_id)))));
    }
  }
  return rows;
}

export const OPPORTUNITIES = [
  // 160 days, more than twice the teams' average cycle: the long-cycle insight names it.
  {
    id: 'O1',
    owner: 'R2',
    name: 'Globex expansion',
    created: '2026-02-10T15:00:00Z',
    close: '2026-07-20',
    amount: 40_000,
  },
  {
    id: 'O2',
    owner: 'R1',
    name: 'Initech renewal',
    created: '2026-05-01T15:00:00Z',
    close: '2026-07-15',
    amount: 45_000,
  },
  {
    id: 'O3',
    owner: 'R5',
    name: 'Umbrella pilot',
    created: '2026-06-01T15:00:00Z',
    close: '2026-07-31',
    amount: 40_000,
  },
] as const;

export async function seedDigestWorld(db: Kysely<DB>): Promise<void> {
  await db
    .insertInto('reps')
    .values(REPS.map((rep) => ({ connection_id: CONNECTION, ...rep })))
    .execute();
  await db.insertInto('rep_period_kpis').values(kpiRows()).execute();
  await db
    .insertInto('opportunities')
    .values(
      OPPORTUNITIES.map((opportunity) => ({
        connection_id: CONNECTION,
        opportunity_id: opportunity.id,
        owner_rep_id: opportunity.owner,
        name: opportunity.name,
        stage: 'Closed Won',
        is_closed: true,
        is_won: true,
        amount: opportunity.amount,
        currency: 'USD',
        amount_home: opportunity.amount,
        created_at: new Date(opportunity.created),
        close_date: opportunity.close,
      })),
    )
    .execute();
}
