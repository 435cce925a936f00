import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { computeKpiRows } from '../../src/kpi/compute-kpi-rows.ts';
import * as fixture from './fixtures/hand-computed.ts';
import { insertHandComputed, pushCloseDate } from './fixtures/insert-canonical.ts';
import { expectRows, rowsByKey } from './kpi-rows.ts';

/** The same SQL on the embedded PGlite database (PostgreSQL 17+) that single-machine installs use. */
describe('KPI engine on PGlite', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    await migrateToLatest(database.db);
    await insertHandComputed(database.db, 'acme');
  });
  afterAll(async () => {
    await database.close();
  });

  it('computes the hand-computed rows, fully and incrementally', async () => {
    const compute = (runId: number) =>
      computeKpiRows(database.db, {
        connectionId: 'acme',
        asOf: fixture.AS_OF,
        settings: fixture.settings,
        full: false,
        runId,
        now: new Date('2026-05-20T20:00:00Z'),
      });
    expect((await compute(1)).mode).toBe('full');
    expectRows(await rowsByKey(database.db, 'acme', fixture.AS_OF), fixture.expectedInitial);
    await pushCloseDate(database.db, 'acme');
    expect((await compute(2)).mode).toBe('incremental');
    const rows = await rowsByKey(database.db, 'acme', fixture.AS_OF);
    expectRows(rows, fixture.expectedPushed);
    expect([...rows.keys()].sort()).toEqual([...fixture.expectedKeysPushed].sort());
  });
});
