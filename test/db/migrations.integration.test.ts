import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/database.ts';
import { migrateToLatest, migrations } from '../../db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

const EXPECTED_TABLES = [
  'activities',
  'crm_metadata',
  'crm_records',
  'currency_rates',
  'digest_log',
  'kpi_dirty',
  'kpi_state',
  'leads',
  'line_items',
  'normalize_state',
  'opportunities',
  'proposals',
  'quotas',
  'record_issues',
  'rep_period_kpis',
  'reps',
  'runs',
  'sync_state',
  'writeback_results',
  'writeback_state',
];

async function tablesWithConnectionId<T>(db: Kysely<T>) {
  const { rows } = await sql<{ table_name: string; has_connection_id: boolean }>`
    SELECT t.table_name,
           EXISTS (SELECT 1 FROM information_schema.columns c
                   WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name
                     AND c.column_name = 'connection_id') AS has_connection_id
    FROM information_schema.tables t
    WHERE t.table_schema = 'public' AND t.table_name NOT LIKE 'kysely_%'
    ORDER BY t.table_name`.execute(db);
  return rows;
}

describe('migrations on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('creates every table, each carrying connection_id', async () => {
    const first = await migrateToLatest(database.db);
    expect(first.applied).toEqual(Object.keys(migrations));
    const tables = await tablesWithConnectionId(database.db);
    expect(tables.map((t) => t.table_name)).toEqual(EXPECTED_TABLES);
    expect(tables.filter((t) => !t.has_connection_id)).toEqual([]);
  });

  it('is a no-op the second time', async () => {
    const second = await migrateToLatest(database.db);
    expect(second).toEqual({ applied: [], alreadyApplied: Object.keys(migrations).length });
  });

  it('hands values back in the documented shapes', async () => {
    const { rows } = await sql<{ d: unknown; n: unknown; b: unknown; t: unknown }>`
      SELECT DATE '2026-03-01' AS d, 12.50::numeric AS n, 9007199254740::int8 AS b, now() AS t`.execute(
      database.db,
    );
    expect(rows[0]).toMatchObject({ d: '2026-03-01', n: 12.5, b: 9007199254740 });
    expect(rows[0]?.t).toBeInstanceOf(Date);
  });
});

describe('migration 0010 on a warehouse with pending KPI marks', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('keeps every pending dirty day, as its month', async () => {
    const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });
    const upTo0009 = await migrator.migrateTo('0009-median-fingerprint');
    expect(upTo0009.error).toBeUndefined();
    await sql`
      INSERT INTO kpi_dirty (connection_id, rep_id, day) VALUES
        ('c', 'a', '2026-03-15'), ('c', 'a', '2026-03-03'), ('c', 'a', '2026-04-02'), ('c', 'b', '2026-03-31')`.execute(
      database.db,
    );
    await migrateToLatest(database.db);
    const { rows } = await sql`
      SELECT rep_id, month_start FROM kpi_dirty ORDER BY rep_id, month_start`.execute(database.db);
    expect(rows).toEqual([
      { rep_id: 'a', month_start: '2026-03-01' },
      { rep_id: 'a', month_start: '2026-04-01' },
      { rep_id: 'b', month_start: '2026-03-01' },
    ]);
  });
});

describe('migrations on embedded PGlite', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'attain-pglite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies the same migrations, idempotently, and persists them on disk', async () => {
    const first = await openDatabase({ dataDir: dir });
    expect(first.kind).toBe('pglite');
    expect((await migrateToLatest(first.db)).applied).toEqual(Object.keys(migrations));
    const tables = await tablesWithConnectionId(first.db);
    expect(tables.map((t) => t.table_name)).toEqual(EXPECTED_TABLES);
    const { rows } = await sql<{ d: unknown; n: unknown; b: unknown }>`
      SELECT DATE '2026-03-01' AS d, 12.50::numeric AS n, 9007199254740::int8 AS b`.execute(first.db);
    expect(rows[0]).toEqual({ d: '2026-03-01', n: 12.5, b: 9007199254740 });
    await first.close();

    const reopened = await openDatabase({ dataDir: dir });
    expect(await migrateToLatest(reopened.db)).toEqual({
      applied: [],
      alreadyApplied: Object.keys(migrations).length,
    });
    await reopened.close();
  });

  it('serializes concurrent transactions on its single connection', async () => {
    const database = await openDatabase({ dataDir: 'memory://' });
    await migrateToLatest(database.db);
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        database.db.transaction().execute(async (trx) => {
          await trx
            .insertInto('sync_state')
            .values({
              connection_id: 'c',
              object: `o${i}`,
              watermark: null,
              backfill_completed_at: null,
              last_reconciled_at: null,
              last_run_id: null,
            })
            .execute();
          await trx
            .updateTable('sync_state')
            .set({ records_synced: i })
            .where('object', '=', `o${i}`)
            .execute();
        }),
      ),
    );
    const rows = await database.db
      .selectFrom('sync_state')
      .select(['object', 'records_synced'])
      .orderBy('object')
      .execute();
    expect(rows).toEqual([0, 1, 2, 3, 4].map((i) => ({ object: `o${i}`, records_synced: i })));
    await database.close();
  });
});

describe('per-file test databases', () => {
  it('gives every caller its own database and drops it afterwards', async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    expect(a.name).not.toBe(b.name);
    await a.db.insertInto('normalize_state').values({ connection_id: 'x' }).execute();
    expect(await b.db.selectFrom('normalize_state').selectAll().execute()).toEqual([]);
    await a.drop();
    await b.drop();
    const probe = await createTestDatabase();
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pg_database WHERE datname IN (${a.name}, ${b.name})`.execute(probe.db);
    expect(rows[0]?.n).toBe(0);
    await probe.drop();
  });
});
