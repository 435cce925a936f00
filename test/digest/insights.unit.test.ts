import { describe, expect, it } from 'vitest';
import { createFormatter } from '../../src/digest/format.ts';
import { computeInsights, type InsightInput } from '../../src/digest/insights.ts';
import type { WonDeal } from '../../src/digest/model.ts';
import { digestSettingsSchema } from '../../src/digest/settings.ts';
import type { DigestSnapshot } from '../../src/digest/snapshot.ts';
import { quarter, rep } from './digest-builders.ts';

const fmt = createFormatter({ locale: 'en-US', currency: 'USD' });
const settings = digestSettingsSchema.parse(undefined).insights;

function insights(overrides: Partial<InsightInput>) {
  return computeInsights({
    quarter: undefined,
    groupNoun: 'team',
    previous: null,
    wonDeals: [],
    settings,
    fmt,
    ...overrides,
  });
}

const dana = rep('R1', 'Dana Lee', {
  quota: 250_000,
  bookings: 77_500,
  attainment: 0.31,
  expectedToDate: 0.62,
  pace: 0.5,
  paceStatus: 'at_risk',
  pipeline: 241_000,
  pipelineCoverage: 241_000 / 172_500,
});

describe('insights', () => {
  it('says how far a rep at risk is from quota and how much open pipeline covers it', () => {
    const [insight] = insights({ quarter: quarter({}, [dana]) });
    expect(insight).toEqual({
      kind: 'rep_at_risk',
      text:
        'Dana Lee is at risk: 31% of a $250,000 quota with 62% of the quarter gone; needs $172,500 more — ' +
        '1.4× coverage of open pipeline ($241,000).',
      numbers: {
        repId: 'R1',
        attainment: 0.31,
        quota: 250_000,
        bookings: 77_500,
        expectedToDate: 0.62,
        needed: 172_500,
        pipeline: 241_000,
        pipelineCoverage: 241_000 / 172_500,
      },
    });
    const dry = rep('R2', 'Ben Carter', { ...dana.figures, pipeline: 0, pipelineCoverage: 0 });
    expect(insights({ quarter: quarter({}, [dry]) })[0]!.text).toMatch(
      /needs \$172,500 more — no open pipeline/,
    );
  });

  it('calls a discount "well above" the team’s only past both thresholds', () => {
    const team = { avgDiscount: 0.1 };
    const deep = rep('R1', 'Ana Ruiz', { avgDiscount: 0.16, discountGross: 90_000 });
    const close = rep('R2', 'Ben Carter', { avgDiscount: 0.14, discountGross: 90_000 }); // +4 pts only
    const relative = rep('R3', 'Chloe Nguyen', { avgDiscount: 0.151, discountGross: 90_000 }); // 1.51× and +5.1 pts
    const found = insights({ quarter: quarter(team, [deep, close, relative]) });
    expect(found.map((insight) => insight.numbers.repId)).toEqual(['R1', 'R3']);
    expect(found[0]!.text).toBe(
      'Ana Ruiz gives an average discount of 16% on won deals ($90,000 at list price), well above the team’s 10% this quarter.',
    );
    const lowTeam = insights({
      quarter: quarter({ avgDiscount: 0.02 }, [
        rep('R1', 'Ana Ruiz', { avgDiscount: 0.06, discountGross: 1 }),
      ]),
    });
    expect(lowTeam).toEqual([]); // 3× the team’s, but only 4 points deeper
  });

  it('flags won deals with a cycle at least twice the team’s average and 30 days', () => {
    const deal = (id: string, cycleDays: number): WonDeal => ({
      opportunityId: id,
      name: `Deal ${id}`,
      repId: 'R1',
      repName: 'Ana Ruiz',
      amount: 50_000,
      closeDate: '2026-07-20',
      cycleDays,
    });
    const found = insights({
      quarter: quarter({ avgCycleDays: 40 }, []),
      wonDeals: [deal('A', 79), deal('B', 80), deal('C', 200)],
    });
    expect(found.map((insight) => insight.numbers.opportunityId)).toEqual(['C', 'B']);
    expect(found[1]!.text).toBe(
      'Deal B (Ana Ruiz, $50,000, won Jul 20, 2026) took 80 days to close — 2× the team’s average cycle of 40 days.',
    );
    // A short average does not make a 25-day deal "unusually long".
    expect(insights({ quarter: quarter({ avgCycleDays: 10 }, []), wonDeals: [deal('D', 25)] })).toEqual([]);
  });

  it('names the largest movers since the previous digest of the same quarter', () => {
    const previous: DigestSnapshot = {
      version: 1,
      asOf: '2026-08-07',
      periods: { quarter: { start: '2026-07-01', label: 'Q3 FY2026', headline: {} } },
      reps: { R1: { attainment: 0.6, bookings: 150_000 }, R2: { attainment: 0.3, bookings: 75_000 } },
    };
    const period = quarter({}, [
      rep('R1', 'Ana Ruiz', { quota: 250_000, bookings: 180_000, attainment: 0.72 }),
      rep('R2', 'Ben Carter', { quota: 250_000, bookings: 60_000, attainment: 0.24 }),
    ]);
    const found = insights({ quarter: period, previous });
    expect(found.map((insight) => [insight.kind, insight.numbers.change])).toEqual([
      ['mover', 30_000],
      ['mover', -15_000],
    ]);
    expect(found[1]!.text).toBe(
      'Ben Carter lost $15,000 in bookings since the last digest (data as of Aug 7, 2026): from $75,000 to $60,000 ' +
        'and from 30% to 24% of quota.',
    );
    const lastQuarter = {
      ...previous,
      periods: { quarter: { ...previous.periods.quarter!, start: '2026-04-01' } },
    };
    expect(insights({ quarter: period, previous: lastQuarter })).toEqual([]);
  });

  it('ranks by kind in turns, so one kind cannot crowd out the rest, and stops at the maximum', () => {
    const atRisk = [1, 2, 3, 4].map((i) =>
      rep(`R${i}`, `Rep ${i}`, {
        ...dana.figures,
        bookings: 10_000 * i,
        avgDiscount: 0.3,
        discountGross: 10,
      }),
    );
    const found = insights({
      quarter: quarter(
        {
          quota: 1_000_000,
          bookings: 100_000,
          attainment: 0.1,
          expectedToDate: 0.62,
          paceStatus: 'at_risk',
          avgDiscount: 0.1,
        },
        atRisk,
      ),
    });
    expect(found.map((insight) => insight.kind)).toEqual([
      'team_pace',
      'rep_at_risk',
      'discount_depth',
      'rep_at_risk',
      'discount_depth',
    ]);
    // The rep furthest from quota first.
    expect(found[1]!.numbers.repId).toBe('R1');
    expect(insights({ quarter: quarter({}, atRisk), settings: { ...settings, max: 2 } })).toHaveLength(2);
  });
});
