import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeKpis } from '../../src/kpi/compute-kpis.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { salesforceTestConfig, testStageContext } from '../support/stage-context.ts';
import * as fixture from './fixtures/hand-computed.ts';
import { insertHandComputed, pushCloseDate } from './fixtures/insert-canonical.ts';
import { rowsByKey, sameValue } from './kpi-rows.ts';

const config = salesforceTestConfig({ org: { timezone: 'America/Los_Angeles', fiscalYearStartMonth: 2 } });
const CONNECTION = config.connections[0]!.id;

describe('KPI runs from day to day', () => {
  let database: TestDatabase;
  const context = (now: string, kpis: Record<string, unknown> = {}) =>
    testStageContext(
      database.db,
      { ...config, kpis: { ...config.kpis, ...kpis } },
      { now: () => new Date(now) },
    );
  const asOfDates = async () =>
    (
      await database.db
        .selectFrom('rep_period_kpis')
        .select('as_of')
        .distinct()
        .where('connection_id', '=', CONNECTION)
        .orderBy('as_of')
        .execute()
    ).map((row) => row.as_of);

  beforeAll(async () => {
    database = await createTestDatabase();
    await insertHandComputed(database.db, CONNECTION);
  });
  afterAll(async () => {
    await database.drop();
  });

  it('takes today in the org time zone as as_of and records the run with its report', async () => {
    // 06:30 UTC on May 21 is still May 20 in Los Angeles
    const run = await computeKpis(context('2026-05-21T06:30:00Z'));
    expect(run.result.asOf).toBe(fixture.AS_OF);
    const recorded = await database.db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', run.runId)
      .executeTakeFirstOrThrow();
    expect(recorded).toMatchObject({
      stage: 'kpis',
      as_of: fixture.AS_OF,
      status: 'succeeded',
      trigger: 'test',
    });
    expect(recorded.counts).toMatchObject({
      rowsWritten: fixture.expectedKeysPushed.length,
      negativeCycles: 1,
      closedPeriodChanges: 0,
    });
    expect(recorded.report).toMatchObject({
      mode: 'full',
      negativeCycles: { count: 1, opportunityIds: fixture.expectedNegativeCycles },
    });
    const rows = await rowsByKey(database.db, CONNECTION, fixture.AS_OF);
    expect([...rows.values()].every((row) => row.run_id === run.runId)).toBe(true);
  });

  it('on a new day, lists what changed since the previous day in periods already closed then', async () => {
    await pushCloseDate(database.db, CONNECTION);
    const run = await computeKpis(context('2026-05-22T18:00:00Z'));
    expect(run.result).toMatchObject({
      asOf: '2026-05-22',
      mode: 'full',
      reason: `as_of changed from ${fixture.AS_OF}`,
      previousAsOf: fixture.AS_OF,
      dirtyConsumed: fixture.closeDatePush.dirty.length,
    });
    const reported = run.result.closedPeriodChanges.changes;
    for (const [scope, repId, periodStart, column, old, next] of fixture.expectedPushChanges) {
      const change = reported.find(
        (c) => c.scope === scope && c.repId === repId && c.periodStart === periodStart && c.column === column,
      );
      expect(change, `${scope} ${repId} ${periodStart} ${column}`).toBeDefined();
      expect(sameValue(change!.old, old) && sameValue(change!.new, next)).toBe(true);
    }
    // May is still open (and its expected_to_date moved on): not reported
    expect(reported.some((c) => c.periodStart >= '2026-05-01')).toBe(false);
    expect(await asOfDates()).toEqual([fixture.AS_OF, '2026-05-22']);
  });

  it('prunes as_of dates older than kpis.retainDays', async () => {
    const kept = await computeKpis(context('2026-06-15T18:00:00Z', { retainDays: 35 }));
    expect(kept.result.rowsPruned).toBe(0); // 2026-05-20 is 26 days back
    const stale = await database.db
      .selectFrom('rep_period_kpis')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('connection_id', '=', CONNECTION)
      .where('as_of', '<', '2026-05-26')
      .executeTakeFirstOrThrow();
    const run = await computeKpis(context('2026-06-30T18:00:00Z', { retainDays: 35 }));
    expect(run.result.rowsPruned).toBe(Number(stale.n));
    expect(await asOfDates()).toEqual(['2026-06-15', '2026-06-30']);
  });
});
