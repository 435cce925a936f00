/**
 * KPI engine benchmark: `node bench/kpi.ts [--scale 2000] [--keep]`.
 *
 * Creates a fresh database (like test/support does, on ATTAIN_TEST_ADMIN_URL or the local server),
 * fills the canonical tables with a synthetic org of `scale` reps (≈500 canonical rows per rep:
 * scale 2000 ≈ 1M rows), then, for each of `rounds` days, times
 *   1. the day's full KPI compute (a new as_of),
 *   2. an incremental recompute after 1% of the opportunities changed the way a sync changes
 *      them, with their kpi_dirty rows written the way normalize writes them,
 *   3. the same after 1% changed uniformly over all history,
 * checking after each that the incremental result equals a full recompute of the same data.
 * Prints every time and, per measurement, the best and the median (the machine is shared: the
 * best is the cost, the spread is the neighbours). Targets on 2 cores at scale 2000: full < 10 s,
 * incremental < 1 s.
 */
import { parseArgs } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { DB } from '../db/schema.ts';
import { computeKpiRows, type KpiComputeOutcome } from '../src/kpi/compute-kpi-rows.ts';
import { addDays } from '../src/kpi/fiscal-calendar.ts';
import { markKpiDirtyFrom } from '../src/kpi/kpi-dirty.ts';
import { kpiSettingsSchema, type KpiSettings } from '../src/kpi/settings.ts';
import { databaseUrl, dropDatabase, uniqueName, withAdmin } from '../test/support/postgres.ts';

const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
});
const scale = Number(args.scale);
const rounds = Number(args.rounds);
const CONNECTION = 'bench';
const AS_OF = '2026-11-15';
const settings: KpiSettings = {
  ...kpiSettingsSchema.parse({}),
  timezone: 'America/New_York',
  fiscalYearStartMonth: 2,
  fiscalYearNaming: 'end',
};

async function fill(db: Kysely<DB>): Promise<Record<string, number>> {
  const tz = settings.timezone;
  // Deterministic data: random() after setseed in one session, statements in a fixed order.
  await sql`SELECT setseed(0.42)`.execute(db);
  // Tree: cro ← 4 vps ← directors ← managers ← reps (8 per manager, 8 managers per director).
  const managers = Math.ceil(scale / 8);
  const directors = Math.ceil(managers / 8);
  await sql`
    INSERT INTO reps (connection_id, rep_id, name, email, manager_id, is_active)
    SELECT ${CONNECTION}, 'cro', 'Chief Revenue', 'cro@bench.test', NULL, true
    UNION ALL
    SELECT ${CONNECTION}, 'vp-' || v, 'VP ' || v, 'vp' || v || '@bench.test', 'cro', true FROM generate_series(1, 4) v
    UNION ALL
    SELECT ${CONNECTION}, 'dir-' || d, 'Director ' || d, 'dir' || d || '@bench.test', 'vp-' || (d % 4 + 1), true
    FROM generate_series(1, ${directors}::int) d
    UNION ALL
    SELECT ${CONNECTION}, 'mgr-' || m, 'Manager ' || m, 'mgr' || m || '@bench.test', 'dir-' || ((m - 1) / 8 + 1), true
    FROM generate_series(1, ${managers}::int) m
    UNION ALL
    SELECT ${CONNECTION}, 'rep-' || r, 'Rep ' || r, 'rep' || r || '@bench.test', 'mgr-' || ((r - 1) / 8 + 1), r % 25 <> 0
    FROM generate_series(1, ${scale}::int) r
    UNION ALL
    SELECT ${CONNECTION}, 'unassigned', 'Unassigned', NULL, NULL, true`.execute(db);
  // A rep owner for row g: every 20th record is queue-owned.
  const owner = (g: string) =>
    sql.raw(`CASE WHEN ${g} % 20 = 0 THEN 'unassigned' ELSE 'rep-' || (${g} % ${scale} + 1) END`);
  // Three fiscal years of history up to as_of, plus open deals closing up to a quarter ahead.
  const instant = sql`timestamptz '2024-02-01 00:00:00-05' + random() * interval '1018 days'`;
  await sql`
    INSERT INTO leads (connection_id, lead_id, owner_rep_id, created_at, is_converted, converted_on, source, is_deleted)
    SELECT ${CONNECTION}, 'L' || g, ${owner('g')}, x.created_at, x.converted,
           CASE WHEN x.converted THEN (x.created_at AT TIME ZONE ${tz})::date + (random() * 40)::int END,
           (ARRAY['Web', 'Partner Referral', 'Employee Referral', 'Trade Show', NULL])[1 + (g % 5)],
           g % 97 = 0
    FROM generate_series(1, ${scale * 100}::int) g
    CROSS JOIN LATERAL (SELECT ${instant} AS created_at, random() < 0.3 AS converted, g AS keep) x`.execute(
    db,
  );
  await sql`
    INSERT INTO activities (connection_id, activity_id, kind, owner_rep_id, occurred_at, occurred_on, is_completed,
                            direction, is_connected, is_canceled, is_child, is_archived, is_deleted)
    SELECT ${CONNECTION}, 'A' || g, x.kind, ${owner('g')},
           CASE WHEN g % 10 <> 0 THEN x.at END, CASE WHEN g % 10 = 0 THEN (x.at AT TIME ZONE ${tz})::date END,
           random() < 0.9, CASE WHEN x.kind = 'email' THEN (ARRAY['outbound', 'inbound'])[1 + (g % 2)] END,
           random() < 0.4, x.kind = 'meeting' AND random() < 0.1, x.kind = 'meeting' AND g % 7 = 0,
           x.at < timestamptz '2025-11-15', g % 101 = 0
    FROM generate_series(1, ${scale * 225}::int) g
    CROSS JOIN LATERAL (
      SELECT (ARRAY['call', 'call', 'email', 'meeting', 'call', 'email', 'meeting', 'call', 'email'])[1 + (g % 9)] AS kind,
             ${instant} AS at, g AS keep
    ) x`.execute(db);
  await sql`
    INSERT INTO opportunities (connection_id, opportunity_id, owner_rep_id, name, stage, is_closed, is_won, amount,
                               currency, amount_home, home_rate, probability, forecast_category, created_at,
                               close_date, is_deleted)
    SELECT ${CONNECTION}, 'O' || g, ${owner('g')}, 'Deal ' || g, NULL, y.closed, y.closed AND y.won, y.amount,
           c.currency, round(y.amount * c.rate, 2), c.rate,
           CASE WHEN y.closed THEN (CASE WHEN y.won THEN 1 ELSE 0 END) ELSE round(random()::numeric, 1) END,
           CASE WHEN y.closed THEN (CASE WHEN y.won THEN 'closed' ELSE 'omitted' END)
                ELSE (ARRAY['pipeline', 'best_case', 'commit', 'omitted'])[1 + (g % 4)] END,
           x.created_at, y.close_date, g % 89 = 0
    FROM generate_series(1, ${scale * 60}::int) g
    CROSS JOIN LATERAL (SELECT ${instant} AS created_at, g AS keep) x
    CROSS JOIN LATERAL (
      SELECT (x.created_at AT TIME ZONE ${tz})::date + (random() * 150)::int - 3 AS close_date,
             random() < 0.4 AS won, CASE WHEN g % 50 = 0 THEN NULL ELSE round((1000 + random() * 99000)::numeric, 2) END AS amount
    ) y0
    CROSS JOIN LATERAL (SELECT y0.*, y0.close_date < ${AS_OF}::date AS closed) y
    CROSS JOIN LATERAL (
      SELECT (ARRAY['USD', 'USD', 'EUR', 'GBP'])[1 + (g % 4)] AS currency,
             (ARRAY[1, 1, 1.08, 1.27])[1 + (g % 4)]::numeric AS rate
    ) c`.execute(db);
  await sql`
    INSERT INTO proposals (connection_id, proposal_id, opportunity_id, owner_rep_id, is_submitted, is_accepted,
                           is_syncing, created_at, subtotal, total_price, is_deleted)
    SELECT ${CONNECTION}, 'P' || o.g, o.opportunity_id, o.owner_rep_id, true, o.is_won, o.g % 3 = 0,
           o.created_at + interval '5 days', o.amount, round(o.amount * 0.9, 2), false
    FROM (SELECT *, substr(opportunity_id, 2)::int AS g FROM opportunities WHERE connection_id = ${CONNECTION}) o
    WHERE o.g % 2 = 0`.execute(db);
  await sql`
    INSERT INTO line_items (connection_id, line_item_id, opportunity_id, proposal_id, quantity, list_price,
                            unit_price, total_price)
    SELECT ${CONNECTION}, 'LI' || o.g || '-' || n, CASE WHEN o.g % 4 = 0 THEN NULL ELSE o.opportunity_id END,
           CASE WHEN o.g % 4 = 0 THEN 'P' || o.g END, n, 1000, 900, 900 * n - (o.g % 7) * 10
    FROM (SELECT opportunity_id, substr(opportunity_id, 2)::int AS g FROM opportunities
          WHERE connection_id = ${CONNECTION}) o
    CROSS JOIN generate_series(1, 2) n
    WHERE o.g % 3 = 0`.execute(db);
  // Monthly CRM quotas for every rep across the three fiscal years; a file quota for every 10th rep.
  await sql`
    INSERT INTO quotas (connection_id, source, quota_id, rep_id, period_start, period_end, amount)
    SELECT ${CONNECTION}, 'crm', r.rep_id || ':' || m::date, r.rep_id, m::date,
           (m + interval '1 month')::date - 1, 40000 + (hashtext(r.rep_id) & 7) * 5000
    FROM reps r CROSS JOIN generate_series(date '2024-02-01', date '2027-01-01', interval '1 month') m
    WHERE r.connection_id = ${CONNECTION} AND r.rep_id LIKE 'rep-%'
    UNION ALL
    SELECT ${CONNECTION}, 'file', r.rep_id || ':' || q::date, r.rep_id, q::date,
           (q + interval '3 months')::date - 1, 150000
    FROM reps r CROSS JOIN generate_series(date '2024-02-01', date '2026-11-01', interval '3 months') q
    WHERE r.connection_id = ${CONNECTION} AND r.rep_id LIKE 'rep-%0'`.execute(db);
  await sql`ANALYZE`.execute(db);
  const counts: Record<string, number> = {};
  for (const table of [
    'reps',
    'leads',
    'activities',
    'opportunities',
    'proposals',
    'line_items',
    'quotas',
  ] as const) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

/**
 * How the changed 1% is picked:
 * - 'sync': among open deals and deals closed in the last 90 days — what a CRM sync actually
 *   brings: open deals pushed by 35 days or re-priced, some of them closed won, recent deals re-priced;
 * - 'uniform': uniformly over all history — every change pushes a close date by 35 days and
 *   re-prices the deal (the worst case: every rep, month and closed period is touched).
 */
type ChangeProfile = 'sync' | 'uniform';

/**
 * Changes 1% of the opportunities and marks kpi_dirty the way normalize does (canonical-upsert.ts):
 * a change of close date, stage or amount dirties the owner's old and new close date; the created
 * day only when owner, created date or deletion changed, which these changes never do.
 */
async function changeOnePercent(db: Kysely<DB>, profile: ChangeProfile, round: number): Promise<number> {
  const count = Math.round(scale * 60 * 0.01);
  const candidates = profile === 'sync' ? sql`NOT is_closed OR close_date >= ${AS_OF}::date - 90` : sql`true`;
  return db.transaction().execute(async (trx) => {
    await sql`CREATE TEMP TABLE changed (owner_rep_id text, close_date date, old_close date) ON COMMIT DROP`.execute(
      trx,
    );
    await sql`
      WITH picked AS (
        SELECT opportunity_id, close_date AS old_close, is_closed,
               row_number() OVER (ORDER BY hashtext(opportunity_id || ${profile} || ${round})) AS n
        FROM opportunities
        WHERE connection_id = ${CONNECTION} AND NOT is_deleted AND (${candidates})
        ORDER BY hashtext(opportunity_id || ${profile} || ${round})
        LIMIT ${count}
      ), updated AS (
        UPDATE opportunities o
        SET close_date = CASE WHEN p.is_closed AND ${profile} = 'sync' THEN o.close_date
                              WHEN ${profile} = 'sync' AND p.n % 6 = 0 THEN ${AS_OF}::date - (p.n % 5)::int
                              ELSE o.close_date + 35 END,
            is_closed = o.is_closed OR (${profile} = 'sync' AND p.n % 6 = 0),
            is_won = o.is_won OR (${profile} = 'sync' AND NOT p.is_closed AND p.n % 6 = 0),
            amount_home = round(o.amount_home * 1.1, 2)
        FROM picked p
        WHERE o.connection_id = ${CONNECTION} AND o.opportunity_id = p.opportunity_id
        RETURNING o.owner_rep_id, o.close_date, p.old_close
      )
      INSERT INTO changed SELECT * FROM updated`.execute(trx);
    await markKpiDirtyFrom(
      trx,
      CONNECTION,
      sql`SELECT owner_rep_id, d.day FROM changed CROSS JOIN LATERAL (VALUES (close_date), (old_close)) d (day)`,
    );
    const row = await sql<{ n: number }>`SELECT count(*) AS n FROM changed`.execute(trx);
    return Number(row.rows[0]?.n ?? 0);
  });
}

async function checksum(db: Kysely<DB>, asOf: string): Promise<string> {
  const { rows } = await sql<{ digest: string }>`
    SELECT md5(string_agg(row(r.scope, r.rep_id, r.period_type, r.period_start, r.bookings::float8, r.pipeline::float8,
                              r.quota::float8, r.median_cycle_days::float8, r.avg_discount::float8, r.win_rate::float8,
                              r.attainment::float8, r.pace_status, r.calls, r.leads_created, r.input_count,
                              r.rep_rows, r.rep_rows_with_quota)::text,
                          '|' ORDER BY r.scope, r.rep_id, r.period_type, r.period_start)) AS digest
    FROM rep_period_kpis r WHERE r.connection_id = ${CONNECTION} AND r.as_of = ${asOf}::date`.execute(db);
  return rows[0]?.digest ?? '';
}

async function timed(
  label: string,
  run: () => Promise<KpiComputeOutcome>,
  times?: number[],
): Promise<KpiComputeOutcome> {
  const started = performance.now();
  const outcome = await run();
  const seconds = (performance.now() - started) / 1000;
  times?.push(seconds);
  const { rep, team, org, total } = outcome.rowsWritten;
  console.log(
    `  ${label.padEnd(26)} ${seconds.toFixed(2).padStart(6)} s  ${outcome.mode}, ${total} rows written ` +
      `(rep ${rep}, team ${team}, org ${org}), ${outcome.rowsDeleted} replaced, ${outcome.dirtyConsumed} dirty marks`,
  );
  return outcome;
}

function summary(label: string, times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  return `${label.padEnd(30)} best ${sorted[0]?.toFixed(2)} s, median ${median.toFixed(2)} s (${times.map((t) => t.toFixed(2)).join(', ')})`;
}

const name = uniqueName('attain_bench');
await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
const database = await openDatabase({ url: databaseUrl(name), poolSize: 2 });
try {
  await migrateToLatest(database.db);
  const fillStarted = performance.now();
  const counts = await fill(database.db);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  console.log(
    `scale ${scale}: ${total} canonical rows (${Object.entries(counts)
      .map(([table, n]) => `${table} ${n}`)
      .join(', ')}) filled in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`,
  );
  const times = { full: [] as number[], sync: [] as number[], uniform: [] as number[] };
  for (let round = 1; round <= rounds; round++) {
    const asOf = addDays(AS_OF, round - 1);
    const compute = (full: boolean) => () =>
      computeKpiRows(database.db, {
        connectionId: CONNECTION,
        asOf,
        settings,
        full,
        runId: null,
        now: new Date(),
      });
    console.log(`day ${round}: as_of ${asOf}`);
    await timed('full compute (new as_of)', compute(false), times.full);
    for (const profile of ['sync', 'uniform'] as const) {
      const changed = await changeOnePercent(database.db, profile, round);
      const incremental = await timed(`incremental, ${profile} 1%`, compute(false), times[profile]);
      console.log(
        `    ${changed} opportunities changed; ${incremental.closedPeriodChanges.count} closed-period values reported`,
      );
      const afterIncremental = await checksum(database.db, asOf);
      await timed('full recompute (check)', compute(true));
      const same = afterIncremental === (await checksum(database.db, asOf));
      console.log(`    incremental result equals the full recompute: ${same ? 'yes' : 'NO'}`);
      if (!same) process.exitCode = 1;
    }
  }
  console.log('');
  console.log(summary('full compute', times.full));
  console.log(summary('incremental (sync-like 1%)', times.sync));
  console.log(summary('incremental (uniform 1%)', times.uniform));
} finally {
  await database.close();
  if (args.keep) console.log(`kept database ${databaseUrl(name)}`);
  else await dropDatabase(name);
}
