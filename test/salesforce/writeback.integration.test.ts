import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../../connectors/salesforce/emulator/emulator.ts';
import { ConfigError } from '../../src/errors/config-error.ts';
import { runPipeline } from '../../src/pipeline.ts';
import type { StageContext } from '../../src/stage.ts';
import { writeback } from '../../src/writeback/writeback-stage.ts';
import { configForEmulator, writebackDifferences } from '../support/salesforce.ts';
import { testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const writeCalls = (emulator: SalesforceEmulator) =>
  emulator.store.requestLog
    .entries()
    .filter((entry) => entry.method === 'PATCH' && entry.path.endsWith('/composite/sobjects'));

describe('writeback after a full run on a generated org', () => {
  let emulator: SalesforceEmulator;
  let database: TestDatabase;
  let ctx: StageContext;

  beforeAll(async () => {
    emulator = await startSalesforceEmulator({ seed: 21, scale: 4 });
    database = await createTestDatabase();
    ctx = testStageContext(database.db, configForEmulator(emulator));
  });
  afterAll(async () => {
    await database.drop();
    await emulator.stop();
  });

  it('leaves every rep’s User fields equal to the KPI table', async () => {
    const run = await runPipeline(ctx);
    expect(run.status).toBe('succeeded');
    const asOf = run.result.kpis.result.asOf;
    const compared = await writebackDifferences(database.db, emulator, 'sf', asOf);
    expect(compared.checked).toBeGreaterThanOrEqual(4);
    expect(compared.differences).toEqual([]);
  });

  it('makes no write call the next runs, although its own writes bumped the Users’ SystemModstamp', async () => {
    emulator.store.requestLog.reset();
    const second = await runPipeline(ctx);
    // The echo: the Users come back with a new SystemModstamp and land again…
    expect(second.result.sync.result.objects.find((o) => o.object === 'User')!.written).toBeGreaterThan(0);
    // …but no canonical rep changes, so no KPI moves and nothing is written back.
    expect(second.result.normalize.result.changed.reps ?? 0).toBe(0);
    expect(second.result.writeback!.counts).toMatchObject({ fieldsChanged: 0, writeCalls: 0 });
    const third = await runPipeline(ctx);
    expect(third.result.writeback!.counts.writeCalls).toBe(0);
    expect(writeCalls(emulator)).toEqual([]);
  });
});

describe('writeback batching, failures and retries', () => {
  const REPS = 450;
  const AS_OF = '2026-11-20';
  let emulator: SalesforceEmulator;
  let database: TestDatabase;
  let ctx: StageContext;
  let userIds: string[];

  /** Gives every rep a current-quarter KPI row (values vary with `salt`) at AS_OF. */
  async function setKpis(salt: number, only?: string[]) {
    await sql`
      INSERT INTO rep_period_kpis (connection_id, scope, rep_id, period_type, period_start, period_end, as_of, period_label,
                                   bookings, quota, attainment, expected_to_date, pace_status, win_rate)
      SELECT 'sf', 'rep', id, 'quarter', DATE '2026-10-01', DATE '2026-12-31', ${AS_OF}, 'FY2026 Q4',
             1000 * (ord + ${salt}), 100000, (1000 * (ord + ${salt})) / 100000.0, 0.55, 'behind', 0.25
      FROM unnest(${only ?? userIds}::text[]) WITH ORDINALITY AS u(id, ord)
      ON CONFLICT (connection_id, scope, rep_id, period_type, period_start, as_of)
      DO UPDATE SET bookings = excluded.bookings, attainment = excluded.attainment`.execute(database.db);
  }

  beforeAll(async () => {
    const data = {
      User: Array.from({ length: REPS }, (_, i) => ({
        FirstName: 'Rep',
        LastName: `No ${i}`,
        Email: `rep${i}@acme.test`,
      })),
    };
    emulator = await startSalesforceEmulator({ data });
    database = await createTestDatabase();
    ctx = testStageContext(
      database.db,
      configForEmulator(emulator, {
        writeback: {
          fields: [
            { metric: 'bookings', field: 'Attain_Bookings__c' },
            { metric: 'attainment', field: 'Attain_Quota_Attainment__c' },
          ],
          retryDelayMs: 10,
        },
      }),
    );
    userIds = emulator.store
      .groundTruth()
      .User!.filter((user) => String(user.Email).startsWith('rep'))
      .map((user) => String(user.Id));
    await database.db
      .insertInto('reps')
      .values(
        userIds.map((id) => ({
          connection_id: 'sf',
          rep_id: id,
          name: id,
          email: null,
          title: null,
          manager_id: null,
          crm_user_id: id,
        })),
      )
      .execute();
    await database.db
      .insertInto('kpi_state')
      .values({ connection_id: 'sf', as_of: AS_OF, settings_hash: 'test' })
      .execute();
    await setKpis(0);
  });
  afterAll(async () => {
    await database.drop();
    await emulator.stop();
  });

  it('writes 450 changed reps in exactly 3 calls of ≤ 200, all with allOrNone false', async () => {
    emulator.store.requestLog.reset();
    const run = await writeback(ctx);
    expect(run.status).toBe('succeeded');
    const calls = writeCalls(emulator);
    expect(calls.length).toBe(3);
    const bodies = calls.map(
      (call) => JSON.parse(String(call.body)) as { allOrNone: boolean; records: unknown[] },
    );
    expect(bodies.map((body) => body.records.length)).toEqual([200, 200, 50]);
    expect(bodies.every((body) => body.allOrNone === false)).toBe(true);
    expect(run.counts).toMatchObject({ recordsSucceeded: 450, recordsFailed: 0, writeCalls: 3 });
  });

  it('records per-record failures, retries busy rows in the same run, and re-sends only failed ones next run', async () => {
    await setKpis(1);
    const [busy, invalidA, invalidB] = [userIds[5]!, userIds[250]!, userIds[449]!];
    emulator.store.recordFaults.add({ id: busy, statusCode: 'UNABLE_TO_LOCK_ROW' });
    emulator.store.recordFaults.add({
      id: invalidA,
      statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'Bookings must be approved',
    });
    emulator.store.recordFaults.add({ id: invalidB, statusCode: 'INSUFFICIENT_ACCESS_OR_READONLY' });
    emulator.store.requestLog.reset();
    const run = await writeback(ctx);
    expect(run.status).toBe('partial');
    // 3 batches, then the locked row again on its own
    expect(writeCalls(emulator).length).toBe(4);
    expect(run.counts).toMatchObject({ recordsSucceeded: 448, recordsFailed: 2 });
    const failed = await database.db
      .selectFrom('writeback_results')
      .select(['record_id', 'field', 'status', 'error_code', 'message'])
      .where('run_id', '=', run.runId)
      .where('status', '=', 'failed')
      .orderBy('record_id')
      .orderBy('field')
      .execute();
    expect(failed).toEqual(
      [invalidA, invalidB].sort().flatMap((id) =>
        ['Attain_Bookings__c', 'Attain_Quota_Attainment__c'].map((field) => ({
          record_id: id,
          field,
          status: 'failed',
          error_code:
            id === invalidA ? 'FIELD_CUSTOM_VALIDATION_EXCEPTION' : 'INSUFFICIENT_ACCESS_OR_READONLY',
          message: id === invalidA ? 'Bookings must be approved' : expect.any(String),
        })),
      ),
    );

    emulator.store.requestLog.reset();
    const next = await writeback(ctx);
    expect(next.status).toBe('succeeded');
    const calls = writeCalls(emulator);
    expect(calls.length).toBe(1);
    const sent = (JSON.parse(String(calls[0]!.body)) as { records: Array<{ id: string }> }).records.map(
      (record) => record.id,
    );
    expect(sent.sort()).toEqual([invalidA, invalidB].sort());
    // nothing left to do
    emulator.store.requestLog.reset();
    await writeback(ctx);
    expect(writeCalls(emulator)).toEqual([]);
  });

  it('names a missing or read-only field and sends nothing', async () => {
    await setKpis(2);
    emulator.store.setFieldUpdateable('User', 'Attain_Bookings__c', false);
    await sql`DELETE FROM crm_metadata`.execute(database.db);
    emulator.store.requestLog.reset();
    const error = (await writeback(ctx).catch((e: unknown) => e)) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.issues).toEqual([
      {
        path: 'connections[0].writeback.fields[0].field',
        message:
          'field User.Attain_Bookings__c is not updateable by the integration user (check field-level security)',
      },
    ]);
    emulator.store.removeField('User', 'Attain_Quota_Attainment__c');
    await sql`DELETE FROM crm_metadata`.execute(database.db);
    const missing = (await writeback(ctx).catch((e: unknown) => e)) as ConfigError;
    expect(missing.issues.map((issue) => issue.message)).toContain(
      "field User.Attain_Quota_Attainment__c does not exist (deploy attain's CRM fields, see the README)",
    );
    expect(writeCalls(emulator)).toEqual([]);
  });
});
