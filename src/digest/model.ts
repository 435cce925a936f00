import type { PaceStatus } from '../../db/schema.ts';
import type { Figures, FigureKey } from './figures.ts';

/** What one digest is about, independent of how it is rendered or sent. */

export type PeriodKind = 'quarter' | 'month';

/** Whose numbers: a manager's team (everyone reporting to them) or the whole org. */
export type Audience =
  { kind: 'team'; managerRepId: string; managerName: string; managerEmail: string | null } | { kind: 'org' };

export interface RepLine {
  repId: string;
  name: string;
  figures: Figures;
}

export interface HeadlineChange {
  key: FigureKey;
  previous: number | null;
  current: number | null;
  /** current − previous; null when either side is unknown. */
  change: number | null;
}

export interface DigestPeriod {
  kind: PeriodKind;
  /** period_label from rep_period_kpis, e.g. "Q3 FY2026". */
  label: string;
  start: string;
  end: string;
  team: Figures;
  /** Reps with a quota or any activity, by name. */
  reps: RepLine[];
  /** Against the previous digest of the same period; null when there is none to compare with. */
  changes: HeadlineChange[] | null;
}

export interface LeaderboardEntry {
  rank: number;
  repId: string;
  name: string;
  attainment: number | null;
  bookings: number;
  paceStatus: PaceStatus | null;
}

export type InsightKind = 'team_pace' | 'rep_at_risk' | 'mover' | 'discount_depth' | 'long_cycle';

/** A plain-language finding; `numbers` are the raw values its sentence quotes. */
export interface Insight {
  kind: InsightKind;
  text: string;
  numbers: Record<string, number | string>;
}

export interface DigestSlot {
  schedule: string;
  slot: Date;
  timezone: string;
}

export interface Digest {
  connectionId: string;
  audience: Audience;
  /** "Dana Lee’s team" or "Whole organization". */
  title: string;
  /** The rep_period_kpis as_of the numbers come from. */
  asOf: string;
  /** Quarter to date first, then month to date (whichever the KPI table has). */
  periods: DigestPeriod[];
  leaderboard: LeaderboardEntry[];
  insights: Insight[];
  /** The digest the changes are measured against, if any. */
  previous: { slot: Date; asOf: string } | null;
  slot: DigestSlot | null;
}

/** A won deal of the quarter with its cycle, for the "unusually long cycle" insight. */
export interface WonDeal {
  opportunityId: string;
  name: string;
  repId: string;
  repName: string;
  amount: number | null;
  closeDate: string;
  cycleDays: number;
}
