import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/emulator.ts';
import type { Config } from '../../src/config.ts';
import { syncConnection } from '../../src/extract/sync-stage.ts';
import { computeKpis } from '../../src/kpi/compute-kpis.ts';
import { kpiSettingsOf } from '../../src/kpi/settings.ts';
import { importQuotaFile } from '../../src/kpi/quota-import.ts';
import { normalizeConnection } from '../../src/normalize/normalize-stage.ts';
import { runPipeline } from '../../src/pipeline.ts';
import type { StageContext } from '../../src/stage.ts';
import { configForEmulator } from '../support/salesforce.ts';
import { testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import * as fixture from './fixtures/hand-computed.ts';
import { fileQuotaCsv, renderSalesforceOrg, SalesforceIds } from './fixtures/salesforce-org.ts';
import { expectRows, rowsByKey, sameValue } from './kpi-rows.ts';

/**
 * The hand-computed fixture end to end: rendered as a Salesforce org, served by the emulator,
 * extracted by the real jsforce client, normalized, and computed — the same expected rows as the
 * engine's own test on canonical rows, now through every stage.
 */

// The CRM's clock: after the last record (A15 at 06:30 UTC May 21 is still May 20 in Los Angeles).
const NOW = '2026-05-21T07:00:00Z';
// SF cannot log A8 (an inbound email); EUR's six-decimal conversion rate (see salesforce-org.ts).
const COMPARE = { ignoreColumns: ['input_count'], relativeTolerance: 1e-6 };

describe('the hand-computed fixture through the Salesforce pipeline', () => {
  const ids = new SalesforceIds();
  let emulator: SalesforceEmulator;
  let database: TestDatabase;
  let config: Config;
  let ctx: StageContext;
  const asSalesforce = (rows: readonly fixture.ExpectedRow[]) =>
    rows.map((row) => ({ ...row, repId: ids.rep(row.repId) }));
  const rows = () => rowsByKey(database.db, config.connections[0]!.id, fixture.AS_OF);

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ data: renderSalesforceOrg(ids), now: NOW });
    database = await createTestDatabase();
    config = configForEmulator(emulator, {
      org: { timezone: fixture.settings.timezone, fiscalYearStartMonth: 2, currency: 'USD' },
    });
    ctx = testStageContext(database.db, config, { now: () => new Date(NOW) });
  });
  afterAll(async () => {
    await emulator?.stop();
    await database?.drop();
  });

  it('syncs, normalizes, takes the file quotas and computes every expected row', async () => {
    const sync = await syncConnection(ctx, { full: false });
    expect(sync.status).toBe('succeeded');
    const normalized = await normalizeConnection(ctx);
    expect(normalized.status).toBe('succeeded');
    const issues = await database.db
      .selectFrom('record_issues')
      .select(['object', 'crm_id', 'field', 'code', 'message'])
      .execute();
    expect(issues).toEqual([]);

    const imported = await importQuotaFile(database.db, {
      connectionId: ctx.connection.id,
      file: 'quotas.csv',
      text: fileQuotaCsv(),
      calendar: kpiSettingsOf(config),
      currency: 'USD',
    });
    expect(imported).toMatchObject({ rows: 2, inserted: 2 });

    const kpis = await computeKpis(ctx, { asOf: fixture.AS_OF });
    expect(kpis.result.negativeCycles.opportunityIds).toEqual(
      fixture.expectedNegativeCycles.map((id) => ids.of('Opportunity', id)),
    );
    expectRows(await rows(), asSalesforce(fixture.expectedInitial), COMPARE);
  });

  it('moves the bookings when the close date is pushed in Salesforce, in an incremental run', async () => {
    const before = await rows();
    emulator.store.mutate([
      {
        op: 'update',
        object: 'Opportunity',
        id: ids.of('Opportunity', fixture.closeDatePush.opportunityId),
        fields: { CloseDate: fixture.closeDatePush.closeDate },
      },
    ]);
    const run = await runPipeline(ctx, { asOf: fixture.AS_OF });
    expect(run.status).toBe('succeeded');
    expect(run.result.sync.counts.records).toBe(1);
    expect(run.result.kpis.result).toMatchObject({ mode: 'incremental' });
    const after = await rows();
    expectRows(after, asSalesforce(fixture.expectedPushed), COMPARE);

    const reported = run.result.kpis.result.closedPeriodChanges.changes;
    for (const [scope, repId, periodStart, column, old, now] of fixture.expectedPushChanges) {
      const change = reported.find(
        (c) =>
          c.scope === scope &&
          c.repId === ids.rep(repId) &&
          c.periodStart === periodStart &&
          c.column === column,
      );
      expect(change, `${scope} ${repId} ${periodStart} ${column}`).toBeDefined();
      expect(sameValue(change!.old, old) && sameValue(change!.new, now)).toBe(true);
    }
    expect(before.size).toBe(after.size);
  });
});
