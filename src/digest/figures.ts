import type { PaceStatus, RepPeriodKpi } from '../../db/schema.ts';
import type { FigureKind } from './format.ts';

/**
 * The KPI figures a digest shows for a rep or a team in one period: exactly the values of one
 * rep_period_kpis row (the digest never computes a KPI), under the names the renderers use.
 */
export interface Figures {
  attainment: number | null;
  expectedToDate: number;
  pace: number | null;
  paceStatus: PaceStatus | null;
  bookings: number;
  quota: number | null;
  winRate: number | null;
  oppsWon: number;
  oppsLost: number;
  avgCycleDays: number | null;
  cycleCount: number;
  avgDiscount: number | null;
  discountGross: number;
  pipeline: number;
  pipelineCoverage: number | null;
  calls: number;
  meetings: number;
  proposals: number;
}

export function figuresFromRow(row: RepPeriodKpi): Figures {
  return {
    attainment: row.attainment,
    expectedToDate: row.expected_to_date,
    pace: row.pace,
    paceStatus: row.pace_status,
    bookings: row.bookings,
    quota: row.quota,
    winRate: row.win_rate,
    oppsWon: row.opps_won,
    oppsLost: row.opps_lost,
    avgCycleDays: row.avg_cycle_days,
    cycleCount: row.cycle_count,
    avgDiscount: row.avg_discount,
    discountGross: row.discount_gross,
    pipeline: row.pipeline,
    pipelineCoverage: row.pipeline_coverage,
    calls: row.calls,
    meetings: row.meetings,
    proposals: row.proposals_submitted,
  };
}

/** A rep counts as on the team's sheet when they carry a quota or did anything in the period. */
export function hasActivity(figures: Figures): boolean {
  return (
    figures.quota !== null ||
    figures.bookings !== 0 ||
    figures.pipeline !== 0 ||
    figures.oppsWon + figures.oppsLost > 0 ||
    figures.calls + figures.meetings + figures.proposals > 0
  );
}

export type FigureKey = Exclude<keyof Figures, 'paceStatus'>;

export interface FigureColumn {
  key: FigureKey;
  label: string;
  /** Column heading where space is short (tables, Slack). */
  short: string;
  kind: FigureKind;
  /** Which direction is good news, for coloring a change; 'neutral' for inputs like activity. */
  better: 'higher' | 'lower' | 'neutral';
}

const column = (
  key: FigureKey,
  label: string,
  short: string,
  kind: FigureKind,
  better: FigureColumn['better'],
): FigureColumn => ({ key, label, short, kind, better });

export const FIGURE_COLUMNS = {
  attainment: column('attainment', 'Attainment', 'Attain.', 'percent', 'higher'),
  bookings: column('bookings', 'Bookings', 'Bookings', 'money', 'higher'),
  quota: column('quota', 'Quota', 'Quota', 'money', 'neutral'),
  winRate: column('winRate', 'Win rate', 'Win rate', 'percent', 'higher'),
  avgCycleDays: column('avgCycleDays', 'Avg. cycle', 'Cycle', 'days', 'lower'),
  avgDiscount: column('avgDiscount', 'Avg. discount', 'Discount', 'percentPrecise', 'lower'),
  pipeline: column('pipeline', 'Open pipeline', 'Pipeline', 'money', 'higher'),
  pipelineCoverage: column('pipelineCoverage', 'Pipeline coverage', 'Coverage', 'ratio', 'higher'),
  calls: column('calls', 'Calls', 'Calls', 'count', 'neutral'),
  meetings: column('meetings', 'Meetings', 'Mtgs', 'count', 'neutral'),
  proposals: column('proposals', 'Proposals', 'Props', 'count', 'neutral'),
} satisfies Partial<Record<FigureKey, FigureColumn>>;

/** The headline numbers: shown for the team, stored in each sent digest's snapshot and diffed. */
export const HEADLINE_COLUMNS: readonly FigureColumn[] = [
  FIGURE_COLUMNS.attainment,
  FIGURE_COLUMNS.bookings,
  FIGURE_COLUMNS.pipeline,
  FIGURE_COLUMNS.pipelineCoverage,
  FIGURE_COLUMNS.winRate,
  FIGURE_COLUMNS.avgCycleDays,
  FIGURE_COLUMNS.avgDiscount,
  FIGURE_COLUMNS.calls,
  FIGURE_COLUMNS.meetings,
  FIGURE_COLUMNS.proposals,
];

/** The per-rep table, after the rep's name, attainment bar and pace status. */
export const REP_TABLE_COLUMNS: readonly FigureColumn[] = [
  FIGURE_COLUMNS.bookings,
  FIGURE_COLUMNS.quota,
  FIGURE_COLUMNS.winRate,
  FIGURE_COLUMNS.avgCycleDays,
  FIGURE_COLUMNS.avgDiscount,
  FIGURE_COLUMNS.pipelineCoverage,
  FIGURE_COLUMNS.calls,
  FIGURE_COLUMNS.meetings,
  FIGURE_COLUMNS.proposals,
];

export const PACE_LABELS: Record<PaceStatus, string> = {
  ahead: 'Ahead',
  on_track: 'On track',
  behind: 'Behind',
  at_risk: 'At risk',
};

export function paceLabel(status: PaceStatus | null): string {
  return status === null ? 'No quota' : PACE_LABELS[status];
}

export type ChangeTone = 'good' | 'bad' | 'neutral';

/** Whether a change is good news, for coloring it (discount and cycle length are better lower). */
export function changeTone(column: FigureColumn, change: number | null): ChangeTone {
  if (change === null || change === 0 || column.better === 'neutral') return 'neutral';
  return change > 0 === (column.better === 'higher') ? 'good' : 'bad';
}
