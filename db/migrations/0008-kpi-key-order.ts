import { sql, type Kysely } from 'kysely';

/**
 * rep_period_kpis keeps one unique index instead of two: the primary key becomes the as_of-first
 * order of rep_period_kpis_by_as_of (connection, as_of, period_type, period_start, scope, rep_id).
 * Every reader filters on as_of — leaderboard, digest, writeback, the KPI engine's key lookups
 * (all six columns) — and a KPI run writes ~120k rows per as_of at scale 2000, for which the
 * second, rep-first index cost more than the heap and the other index together (1.5 s of a full
 * compute's writes, against 0.5 s with one index).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE rep_period_kpis DROP CONSTRAINT rep_period_kpis_pkey;
    ALTER TABLE rep_period_kpis ADD CONSTRAINT rep_period_kpis_pkey PRIMARY KEY USING INDEX rep_period_kpis_by_as_of;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE rep_period_kpis DROP CONSTRAINT rep_period_kpis_pkey;
    CREATE UNIQUE INDEX rep_period_kpis_by_as_of
      ON rep_period_kpis (connection_id, as_of, period_type, period_start, scope, rep_id);
    ALTER TABLE rep_period_kpis ADD PRIMARY KEY (connection_id, scope, rep_id, period_type, period_start, as_of);
  `.execute(db);
}
