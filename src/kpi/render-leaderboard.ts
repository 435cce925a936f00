import { textTable } from '../text-table.ts';
import type { Leaderboard, LeaderboardRow } from './leaderboard.ts';

/** How numbers are written: the org's locale and home currency (org.locale, org.currency). */
export interface NumberStyle {
  locale: string;
  currency: string;
}

const PACE_LABELS = { ahead: 'ahead', on_track: 'on track', behind: 'behind', at_risk: 'at risk' } as const;

/** The leaderboard as a text table: one line per rep, then team rows, then the org total. */
export function renderLeaderboard(board: Leaderboard, style: NumberStyle): string {
  const money = new Intl.NumberFormat(style.locale, {
    style: 'currency',
    currency: style.currency,
    maximumFractionDigits: 0,
  });
  const percent = new Intl.NumberFormat(style.locale, { style: 'percent', maximumFractionDigits: 1 });
  const decimal = new Intl.NumberFormat(style.locale, { maximumFractionDigits: 1 });
  const show = (value: number | null, format: (value: number) => string) =>
    value === null ? null : format(value);
  const title = `${board.period.label} (${board.period.start} – ${board.period.end}), as of ${board.asOf}`;
  if (board.rows.length === 0) return `${title}: no KPI rows for this period`;
  const table = textTable<LeaderboardRow>(board.rows, [
    { header: 'Rep', value: label },
    { header: 'Quota', value: (row) => show(row.quota, (v) => money.format(v)), align: 'right' },
    { header: 'Bookings', value: (row) => money.format(row.bookings), align: 'right' },
    { header: 'Attainment', value: (row) => show(row.attainment, (v) => percent.format(v)), align: 'right' },
    { header: 'Pace', value: (row) => (row.pace_status ? PACE_LABELS[row.pace_status] : null) },
    { header: 'Win rate', value: (row) => show(row.win_rate, (v) => percent.format(v)), align: 'right' },
    {
      header: 'Avg cycle',
      value: (row) => show(row.avg_cycle_days, (v) => `${decimal.format(v)} d`),
      align: 'right',
    },
    {
      header: 'Avg discount',
      value: (row) => show(row.avg_discount, (v) => percent.format(v)),
      align: 'right',
    },
    {
      header: 'Coverage',
      value: (row) => show(row.pipeline_coverage, (v) => `${decimal.format(v)}×`),
      align: 'right',
    },
  ]);
  return `${title}\n${table}`;
}

function label(row: LeaderboardRow): string {
  const name = row.name ?? row.rep_id;
  if (row.scope === 'org') return 'Org total';
  return row.scope === 'team' ? `Team ${name}` : name;
}
