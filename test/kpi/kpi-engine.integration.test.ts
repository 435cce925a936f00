import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeKpiRows, type KpiComputeOutcome } from '../../src/kpi/compute-kpi-rows.ts';
import { markKpiDirty } from '../../src/kpi/kpi-dirty.ts';
import type { KpiSettings } from '../../src/kpi/settings.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import * as fixture from './fixtures/hand-computed.ts';
import { insertHandComputed, pushCloseDate } from './fixtures/insert-canonical.ts';
import { expectColumns, expectRows, keyOf, kpiValues, rowsByKey, sameValue } from './kpi-rows.ts';

const CONNECTION = 'acme';

describe('KPI engine on the hand-computed fixture', () => {
  let database: TestDatabase;
  let runs = 0;
  const compute = (full: boolean, settings: KpiSettings = fixture.settings): Promise<KpiComputeOutcome> =>
    computeKpiRows(database.db, {
      connectionId: CONNECTION,
      asOf: fixture.AS_OF,
      settings,
      full,
      runId: ++runs,
      now: new Date('2026-05-20T20:00:00Z'),
    });
  const rows = () => rowsByKey(database.db, CONNECTION, fixture.AS_OF);

  beforeAll(async () => {
    database = await createTestDatabase();
    await insertHandComputed(database.db, CONNECTION);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('computes every column of the expected rows, and only the rows the data touches', async () => {
    const outcome = await compute(false);
    expect(outcome).toMatchObject({ mode: 'full', reason: 'no previous computation', previousAsOf: null });
    expect(outcome.negativeCycles).toEqual({ count: 1, opportunityIds: fixture.expectedNegativeCycles });
    const computed = await rows();
    expectRows(computed, fixture.expectedInitial);
    // O1 closing in April instead of May changes values, not which rows exist
    expect([...computed.keys()].sort()).toEqual([...fixture.expectedKeysPushed].sort());
    expect(outcome.rowsWritten.total).toBe(fixture.expectedKeysPushed.length);
  });

  it('moves bookings between quarters when a close date is pushed, incrementally, and reports the closed-period change', async () => {
    const before = await rows();
    await pushCloseDate(database.db, CONNECTION);
    const outcome = await compute(false);
    // the medians of April, May, FY2027 Q1, Q2 and FY2027 (O1's cycle moves from 57 to 64 days and
    // from April to May) for Alice, her two managers' teams and the org: March's stay as they were
    expect(outcome).toMatchObject({
      mode: 'incremental',
      dirtyConsumed: 3,
      previousAsOf: fixture.AS_OF,
      mediansRecomputed: 20,
    });
    const after = await rows();
    expectRows(after, fixture.expectedPushed);
    expect([...after.keys()].sort()).toEqual([...fixture.expectedKeysPushed].sort());

    const reported = outcome.closedPeriodChanges.changes.map((c) => [
      c.scope,
      c.repId,
      c.periodStart,
      c.column,
      c.old,
      c.new,
    ]);
    for (const change of fixture.expectedPushChanges) {
      expect(reported.some((r) => r.every((value, i) => sameValue(value, change[i])))).toBe(true);
    }
    // only closed periods are reported (April and FY2027 Q1 end before as_of), and only what changed
    expect(
      outcome.closedPeriodChanges.changes.every((c) => ['2026-04-01', '2026-02-01'].includes(c.periodStart)),
    ).toBe(true);
    for (const change of outcome.closedPeriodChanges.changes) {
      const key = `${change.scope} ${change.repId} ${change.periodType} ${change.periodStart}`;
      const value = (rows: typeof before) =>
        (rows.get(key) as unknown as Record<string, unknown> | undefined)?.[change.column];
      expect(sameValue(value(before), change.old)).toBe(true);
      expect(sameValue(value(after), change.new)).toBe(true);
    }
    expect(outcome.closedPeriodChanges.count).toBe(outcome.closedPeriodChanges.changes.length);

    // recomputed: the rows of Alice's dirty months (March, April, May) and their quarters and year,
    // her managers' team rows and the org rows of those periods; rewritten: those whose values
    // changed — March's rows come out as they were and keep their first run, like everything else
    expect(outcome.rowsUnchanged).toBe(4);
    const rewritten = [...after.values()]
      .filter((row) => row.run_id === runs)
      .map(keyOf)
      .sort();
    const periods = [
      'month 2026-04-01',
      'month 2026-05-01',
      'quarter 2026-02-01',
      'quarter 2026-05-01',
      'year 2026-02-01',
    ];
    expect(rewritten).toEqual(
      ['rep r-alice', 'team r-max', 'team r-dana', 'org *']
        .flatMap((who) => periods.map((p) => `${who} ${p}`))
        .sort(),
    );
  });

  it('gets the same rows from a full recompute', async () => {
    const incremental = await rows();
    const outcome = await compute(true);
    expect(outcome).toMatchObject({ mode: 'full', reason: 'full recompute requested' });
    expect(outcome.closedPeriodChanges.count).toBe(0);
    // the day has rows already: the full run stages its rows and swaps in none, all being equal
    expect(outcome.rowsWritten.total).toBe(0);
    expect(outcome.rowsUnchanged).toBe(fixture.expectedKeysPushed.length);
    const full = await rows();
    expect([...full.keys()].sort()).toEqual([...incremental.keys()].sort());
    for (const [key, row] of full) {
      const other = kpiValues(incremental.get(key)!);
      for (const [column, value] of Object.entries(kpiValues(row))) {
        expect(sameValue(value, other[column]), `${key} ${column}`).toBe(true);
      }
    }
  });

  it('keeps every median when a won deal is re-priced, and matches a full recompute', async () => {
    const before = await rows();
    await database.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('opportunities')
        .set({ amount_home: 30000 })
        .where('connection_id', '=', CONNECTION)
        .where('opportunity_id', '=', 'O1')
        .execute();
      await markKpiDirty(trx, CONNECTION, [{ repId: 'r-alice', day: fixture.closeDatePush.closeDate }]);
    });
    const outcome = await compute(false);
    expect(outcome).toMatchObject({ mode: 'incremental', mediansRecomputed: 0 });
    const incremental = await rows();
    expectColumns(incremental.get('rep r-alice month 2026-05-01'), {
      bookings: (before.get('rep r-alice month 2026-05-01')?.bookings ?? 0) + 6000,
    });
    await compute(true);
    const full = await rows();
    for (const [key, row] of full) {
      expect(sameValue(incremental.get(key)?.median_cycle_days, row.median_cycle_days), key).toBe(true);
      expect(incremental.get(key)?.median_cycle_days, key).toEqual(before.get(key)?.median_cycle_days);
    }
  });

  it('lets the file quotas win when configured (a settings change forces a full run)', async () => {
    const outcome = await compute(false, { ...fixture.settings, quotaSource: 'file' });
    expect(outcome).toMatchObject({ mode: 'full', reason: 'settings changed' });
    const computed = await rows();
    for (const { repId, periodType, periodStart, values } of fixture.expectedWithFileQuotas) {
      expectColumns(computed.get(`rep ${repId} ${periodType} ${periodStart}`), values);
    }
    // Alice has CRM quotas only: they still count
    expectColumns(computed.get('rep r-alice quarter 2026-05-01'), { quota: 30000 });
  });
});
