import { sql, type Kysely } from 'kysely';

/**
 * rep_period_kpis.cycle_days_fingerprint: the sum, over the won deals a row's cycle KPIs count, of
 * a 64-bit hash of each deal's cycle days. Like every additive column it sums from months to
 * quarters and years and from reps to teams and the org, so it changes exactly when the multiset
 * of cycle days under a row changes (but for a 2^-64 chance of two changes cancelling out). An
 * incremental KPI run recomputes median_cycle_days only for rows whose fingerprint moved — a
 * re-priced or pushed open deal no longer re-sorts every won deal of the org's year.
 *
 * Rows written before this column hold 0; the KPI engine version that reads it forces one full
 * recompute, which fills it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE rep_period_kpis ADD COLUMN cycle_days_fingerprint numeric NOT NULL DEFAULT 0`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE rep_period_kpis DROP COLUMN cycle_days_fingerprint`.execute(db);
}
