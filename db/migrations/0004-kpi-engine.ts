import { sql, type Kysely } from 'kysely';

/**
 * What the KPI engine needs beyond 0003.
 *
 * rep_period_kpis.input_count: how many (canonical record, KPI-relevant date) pairs and quota rows
 * fall in the row's period. A row with 0 exists only because it is the current period of an
 * active rep; the engine also uses it to tell such rows apart when it re-sums months into quarters.
 *
 * rep_rows / rep_rows_with_quota: how many rep rows a team or org row sums, and how many of those
 * carry a quota (1 and 0|1 on a rep row). They make roll-ups exactly updatable by deltas: a team
 * row exists while rep_rows > 0, and its quota is NULL while rep_rows_with_quota = 0.
 *
 * rep_period_kpis_by_as_of gains scope and rep_id: still every row of an as_of and period for the
 * leaderboard, digest and writeback, and now also a unique index on the full key, so an
 * incremental run's key lookups cannot pick an index that scans a whole period — which the
 * planner did with statistics not yet refreshed after a full run's write.
 *
 * The (owner, date) indexes let an incremental KPI run read just the rep × month slices that
 * normalize marked dirty, instead of every record the rep owns. Instants are indexed as stored:
 * the engine turns a local month into a [from, to) instant range in the org time zone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE rep_period_kpis
      ADD COLUMN input_count integer NOT NULL DEFAULT 0,
      ADD COLUMN rep_rows integer NOT NULL DEFAULT 0,
      ADD COLUMN rep_rows_with_quota integer NOT NULL DEFAULT 0;

    DROP INDEX rep_period_kpis_by_as_of;
    CREATE UNIQUE INDEX rep_period_kpis_by_as_of
      ON rep_period_kpis (connection_id, as_of, period_type, period_start, scope, rep_id);

    CREATE INDEX leads_by_owner_created ON leads (connection_id, owner_rep_id, created_at);
    CREATE INDEX leads_by_owner_converted ON leads (connection_id, owner_rep_id, converted_on)
      WHERE converted_on IS NOT NULL;
    CREATE INDEX activities_by_owner_occurred_at ON activities (connection_id, owner_rep_id, occurred_at);
    CREATE INDEX activities_by_owner_occurred_on ON activities (connection_id, owner_rep_id, occurred_on)
      WHERE occurred_at IS NULL;
    CREATE INDEX opportunities_by_owner_created ON opportunities (connection_id, owner_rep_id, created_at);
    CREATE INDEX opportunities_by_owner_close ON opportunities (connection_id, owner_rep_id, close_date);
    CREATE INDEX proposals_by_owner_created ON proposals (connection_id, owner_rep_id, created_at);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP INDEX proposals_by_owner_created;
    DROP INDEX opportunities_by_owner_close;
    DROP INDEX opportunities_by_owner_created;
    DROP INDEX activities_by_owner_occurred_on;
    DROP INDEX activities_by_owner_occurred_at;
    DROP INDEX leads_by_owner_converted;
    DROP INDEX leads_by_owner_created;
    DROP INDEX rep_period_kpis_by_as_of;
    CREATE INDEX rep_period_kpis_by_as_of ON rep_period_kpis (connection_id, as_of, period_type, period_start);
    ALTER TABLE rep_period_kpis DROP COLUMN input_count, DROP COLUMN rep_rows, DROP COLUMN rep_rows_with_quota;
  `.execute(db);
}
