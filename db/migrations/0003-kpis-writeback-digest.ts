import { sql, type Kysely } from 'kysely';

/**
 * KPI results, the writeback ledger and the digest send log.
 *
 * rep_period_kpis keeps, next to every ratio, the numerator and denominator it came from, so a
 * manager roll-up recomputes each ratio from sums (never an average of ratios) and a user can see
 * why a number is what it is. scope is 'rep' (one rep), 'team' (everyone reporting to rep_id,
 * directly or indirectly) or 'org' (everyone; rep_id '*').
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE rep_period_kpis (
      connection_id             text NOT NULL,
      scope                     text NOT NULL CHECK (scope IN ('rep', 'team', 'org')),
      rep_id                    text NOT NULL,
      period_type               text NOT NULL CHECK (period_type IN ('month', 'quarter', 'year')),
      period_start              date NOT NULL,
      period_end                date NOT NULL,
      as_of                     date NOT NULL,
      period_label              text NOT NULL,
      leads_created             integer NOT NULL DEFAULT 0,
      leads_converted           integer NOT NULL DEFAULT 0,
      leads_created_converted   integer NOT NULL DEFAULT 0,
      lead_conversion_rate      numeric,
      referrals_received        integer NOT NULL DEFAULT 0,
      calls                     integer NOT NULL DEFAULT 0,
      connected_calls           integer NOT NULL DEFAULT 0,
      emails                    integer NOT NULL DEFAULT 0,
      meetings                  integer NOT NULL DEFAULT 0,
      proposals_submitted       integer NOT NULL DEFAULT 0,
      proposals_accepted        integer NOT NULL DEFAULT 0,
      proposal_acceptance_rate  numeric,
      opps_created              integer NOT NULL DEFAULT 0,
      opps_won                  integer NOT NULL DEFAULT 0,
      opps_lost                 integer NOT NULL DEFAULT 0,
      win_rate                  numeric,
      won_amount                numeric NOT NULL DEFAULT 0,
      lost_amount               numeric NOT NULL DEFAULT 0,
      win_rate_amount           numeric,
      bookings                  numeric NOT NULL DEFAULT 0,
      won_with_amount           integer NOT NULL DEFAULT 0,
      avg_deal_size             numeric,
      cycle_days_sum            numeric NOT NULL DEFAULT 0,
      cycle_count               integer NOT NULL DEFAULT 0,
      avg_cycle_days            numeric,
      median_cycle_days         numeric,
      discount_gross            numeric NOT NULL DEFAULT 0,
      discount_amount           numeric NOT NULL DEFAULT 0,
      avg_discount              numeric,
      discount_gross_lost       numeric NOT NULL DEFAULT 0,
      discount_amount_lost      numeric NOT NULL DEFAULT 0,
      avg_discount_lost         numeric,
      pipeline                  numeric NOT NULL DEFAULT 0,
      pipeline_weighted         numeric NOT NULL DEFAULT 0,
      quota                     numeric,
      attainment                numeric,
      expected_to_date          numeric NOT NULL,
      pace                      numeric,
      pace_status               text CHECK (pace_status IN ('ahead', 'on_track', 'behind', 'at_risk')),
      pipeline_coverage         numeric,
      run_id                    bigint,
      computed_at               timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, scope, rep_id, period_type, period_start, as_of)
    );
    CREATE INDEX rep_period_kpis_by_as_of ON rep_period_kpis (connection_id, as_of, period_type, period_start);

    -- (rep, local day) pairs whose inputs changed since the last KPI run; filled by normalize,
    -- drained by kpis, so a recompute touches only the rep x period rows those days fall in.
    CREATE TABLE kpi_dirty (
      connection_id  text NOT NULL,
      rep_id         text NOT NULL,
      day            date NOT NULL,
      PRIMARY KEY (connection_id, rep_id, day)
    );

    -- What the last KPI run computed: a different as_of or settings fingerprint forces a full run.
    CREATE TABLE kpi_state (
      connection_id     text PRIMARY KEY,
      as_of             date NOT NULL,
      settings_hash     text NOT NULL,
      full_required     boolean NOT NULL DEFAULT false,
      computed_at       timestamptz NOT NULL DEFAULT now()
    );

    -- The last value written successfully per CRM record and field (the writeback diff base).
    CREATE TABLE writeback_state (
      connection_id  text NOT NULL,
      target_object  text NOT NULL,
      record_id      text NOT NULL,
      field          text NOT NULL,
      value          text,
      run_id         bigint,
      written_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, target_object, record_id, field)
    );

    -- One row per attempted (record, field) write. Rows with status 'failed' and no later success
    -- are what the next run retries.
    CREATE TABLE writeback_results (
      id             bigserial PRIMARY KEY,
      connection_id  text NOT NULL,
      run_id         bigint,
      target_object  text NOT NULL,
      record_id      text NOT NULL,
      field          text NOT NULL,
      value          text,
      status         text NOT NULL CHECK (status IN ('succeeded', 'failed')),
      error_code     text,
      message        text,
      attempt        integer NOT NULL DEFAULT 1,
      created_at     timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX writeback_results_by_record ON writeback_results (connection_id, target_object, record_id, field, id DESC);
    CREATE INDEX writeback_results_by_run ON writeback_results (run_id);

    -- One row per recipient per schedule slot: the unique key is the send-once guarantee.
    CREATE TABLE digest_log (
      id             bigserial PRIMARY KEY,
      connection_id  text NOT NULL,
      schedule       text NOT NULL,
      recipient      text NOT NULL,
      channel        text NOT NULL CHECK (channel IN ('email', 'slack')),
      slot           timestamptz NOT NULL,
      status         text NOT NULL DEFAULT 'sending' CHECK (status IN ('sending', 'sent', 'failed')),
      attempts       integer NOT NULL DEFAULT 0,
      manager_rep_id text,
      snapshot       jsonb,
      message_id     text,
      error          text,
      created_at     timestamptz NOT NULL DEFAULT now(),
      sent_at        timestamptz,
      UNIQUE (connection_id, schedule, recipient, channel, slot)
    );
    CREATE INDEX digest_log_by_recipient ON digest_log (connection_id, recipient, channel, slot DESC);
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE digest_log;
    DROP TABLE writeback_results;
    DROP TABLE writeback_state;
    DROP TABLE kpi_state;
    DROP TABLE kpi_dirty;
    DROP TABLE rep_period_kpis;
  `.execute(db);
}
