import { describe, expect, it } from 'vitest';
import type { LeaderboardRow } from '../../src/kpi/leaderboard.ts';
import { renderLeaderboard } from '../../src/kpi/render-leaderboard.ts';

function row(values: Partial<LeaderboardRow>): LeaderboardRow {
  return {
    scope: 'rep',
    rep_id: 'r',
    name: null,
    quota: null,
    bookings: 0,
    attainment: null,
    pace_status: null,
    win_rate: null,
    avg_cycle_days: null,
    avg_discount: null,
    pipeline_coverage: null,
    ...values,
  } as LeaderboardRow;
}

const period = { type: 'quarter' as const, start: '2026-05-01', end: '2026-07-31', label: 'FY2027 Q2' };

describe('leaderboard rendering', () => {
  it('formats money and percentages in the org locale and currency, and marks what is missing', () => {
    const text = renderLeaderboard(
      {
        asOf: '2026-05-20',
        period,
        rows: [
          row({
            rep_id: 'r-alice',
            name: 'Alice Ace',
            quota: 30000,
            bookings: 40000,
            attainment: 4 / 3,
            pace_status: 'on_track',
            win_rate: 0.8,
            avg_cycle_days: 26.5,
            avg_discount: 0.11753,
            pipeline_coverage: 2.65,
          }),
          row({ rep_id: 'r-carol', name: 'Carol Chen' }),
          row({ scope: 'team', rep_id: 'r-max', name: 'Max Manager', bookings: 70000 }),
          row({ scope: 'org', rep_id: '*', bookings: 80000 }),
        ],
      },
      { locale: 'de-DE', currency: 'EUR' },
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('FY2027 Q2 (2026-05-01 – 2026-07-31), as of 2026-05-20');
    expect(lines[1]).toMatch(
      /^ {2}Rep +Quota +Bookings +Attainment +Pace +Win rate +Avg cycle +Avg discount +Coverage$/,
    );
    expect(lines[2]).toContain('Alice Ace');
    // Intl separates number and unit with a no-break space
    const nbsp = '\u00a0';
    for (const cell of [
      `30.000${nbsp}€`,
      `40.000${nbsp}€`,
      `133,3${nbsp}%`,
      'on track',
      `80${nbsp}%`,
      '26,5 d',
      `11,8${nbsp}%`,
      '2,7×',
    ]) {
      expect(lines[2]).toContain(cell);
    }
    expect(lines[3]).toMatch(/^ {2}Carol Chen +— +0\u00a0€ +— +— +— +— +— +—$/);
    expect(lines[4]).toMatch(/^ {2}Team Max Manager .*70\.000\u00a0€/);
    expect(lines[5]).toMatch(/^ {2}Org total .*80\.000\u00a0€/);
  });

  it('says so when the period has no rows', () => {
    expect(
      renderLeaderboard({ asOf: '2026-05-20', period, rows: [] }, { locale: 'en-US', currency: 'USD' }),
    ).toBe('FY2027 Q2 (2026-05-01 – 2026-07-31), as of 2026-05-20: no KPI rows for this period');
  });
});
