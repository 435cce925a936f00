import { sql, type Kysely } from 'kysely';

/**
 * The landing table, sync cursors and the audit trail.
 *
 * crm_records.change_seq is bumped (from one sequence) whenever a row's content changes, so
 * normalize can pick up exactly the rows changed since its last run with an index range scan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE SEQUENCE crm_records_change_seq;

    CREATE TABLE crm_records (
      connection_id text NOT NULL,
      object        text NOT NULL,
      crm_id        text NOT NULL,
      modstamp      timestamptz,
      is_deleted    boolean NOT NULL DEFAULT false,
      data          jsonb NOT NULL,
      synced_at     timestamptz NOT NULL DEFAULT now(),
      change_seq    bigint NOT NULL DEFAULT nextval('crm_records_change_seq'),
      PRIMARY KEY (connection_id, object, crm_id)
    );
    CREATE INDEX crm_records_changes ON crm_records (connection_id, change_seq);

    CREATE TABLE sync_state (
      connection_id          text NOT NULL,
      object                 text NOT NULL,
      watermark              timestamptz,
      cursor                 jsonb NOT NULL DEFAULT '{}',
      backfill_completed_at  timestamptz,
      last_reconciled_at     timestamptz,
      last_run_id            bigint,
      records_synced         bigint NOT NULL DEFAULT 0,
      updated_at             timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, object)
    );

    CREATE TABLE runs (
      id             bigserial PRIMARY KEY,
      connection_id  text NOT NULL,
      stage          text NOT NULL,
      parent_run_id  bigint REFERENCES runs (id) ON DELETE SET NULL,
      status         text NOT NULL DEFAULT 'running'
                     CHECK (status IN ('running', 'succeeded', 'failed', 'budget_stopped', 'partial')),
      trigger        text NOT NULL DEFAULT 'cli',
      as_of          date,
      started_at     timestamptz NOT NULL DEFAULT now(),
      finished_at    timestamptz,
      counts         jsonb NOT NULL DEFAULT '{}',
      api_calls      integer NOT NULL DEFAULT 0,
      report         jsonb NOT NULL DEFAULT '{}',
      error          text
    );
    CREATE INDEX runs_by_stage ON runs (connection_id, stage, started_at DESC);
    CREATE INDEX runs_by_parent ON runs (parent_run_id);

    CREATE TABLE record_issues (
      connection_id  text NOT NULL,
      stage          text NOT NULL,
      object         text NOT NULL,
      crm_id         text NOT NULL,
      field          text NOT NULL DEFAULT '',
      code           text NOT NULL,
      message        text NOT NULL,
      run_id         bigint REFERENCES runs (id) ON DELETE SET NULL,
      first_seen_at  timestamptz NOT NULL DEFAULT now(),
      last_seen_at   timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, stage, object, crm_id, field, code)
    );
    CREATE INDEX record_issues_by_run ON record_issues (run_id);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE record_issues;
    DROP TABLE runs;
    DROP TABLE sync_state;
    DROP TABLE crm_records;
    DROP SEQUENCE crm_records_change_seq;
  `.execute(db);
}
