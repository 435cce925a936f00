import { sql, type Kysely } from 'kysely';

/**
 * Provider-neutral canonical tables, filled by each connector's normalize SQL and read by the KPI
 * SQL. Rows are never physically removed when the CRM deletes a record: is_deleted is set, so a
 * KPI can be explained after the fact and a restore is just another update.
 *
 * Datetimes are stored as timestamptz (UTC instants); the KPI SQL converts them to the org time
 * zone before taking a date. Dates that are dates in the CRM (Salesforce CloseDate) stay dates.
 * Owner columns hold a rep_id; queue-owned and unknown-owner records point at the synthetic
 * 'unassigned' rep so they are counted, never dropped. A value the CRM sent that cannot be read
 * (bad type, bad date) is stored as NULL and reported in record_issues, never a failed run.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE reps (
      connection_id  text NOT NULL,
      rep_id         text NOT NULL,
      name           text,
      email          text,
      title          text,
      manager_id     text,
      crm_user_id    text,
      is_active      boolean NOT NULL DEFAULT true,
      is_deleted     boolean NOT NULL DEFAULT false,
      updated_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, rep_id)
    );
    CREATE INDEX reps_by_manager ON reps (connection_id, manager_id);
    CREATE INDEX reps_by_email ON reps (connection_id, lower(email));

    CREATE TABLE leads (
      connection_id  text NOT NULL,
      lead_id        text NOT NULL,
      owner_rep_id   text NOT NULL,
      created_at     timestamptz,
      is_converted   boolean NOT NULL DEFAULT false,
      converted_on   date,
      source         text,
      status         text,
      is_deleted     boolean NOT NULL DEFAULT false,
      updated_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, lead_id)
    );
    CREATE INDEX leads_by_owner ON leads (connection_id, owner_rep_id);

    CREATE TABLE activities (
      connection_id  text NOT NULL,
      activity_id    text NOT NULL,
      kind           text NOT NULL CHECK (kind IN ('call', 'email', 'meeting')),
      owner_rep_id   text NOT NULL,
      occurred_at    timestamptz,
      occurred_on    date,
      is_completed   boolean NOT NULL DEFAULT false,
      direction      text CHECK (direction IN ('outbound', 'inbound')),
      outcome        text,
      is_connected   boolean NOT NULL DEFAULT false,
      is_canceled    boolean NOT NULL DEFAULT false,
      is_child       boolean NOT NULL DEFAULT false,
      is_archived    boolean NOT NULL DEFAULT false,
      is_deleted     boolean NOT NULL DEFAULT false,
      updated_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, activity_id)
    );
    CREATE INDEX activities_by_owner ON activities (connection_id, owner_rep_id, kind);

    CREATE TABLE opportunities (
      connection_id      text NOT NULL,
      opportunity_id     text NOT NULL,
      owner_rep_id       text NOT NULL,
      name               text,
      stage              text,
      is_closed          boolean NOT NULL DEFAULT false,
      is_won             boolean NOT NULL DEFAULT false,
      amount             numeric,
      currency           text,
      amount_home        numeric,
      -- corporate-currency units per 1 unit of currency on the close date (1 when single-currency),
      -- so line items and proposals of this opportunity convert the same way its amount did
      home_rate          numeric,
      probability        numeric CHECK (probability IS NULL OR (probability >= 0 AND probability <= 1)),
      forecast_category  text,
      created_at         timestamptz,
      close_date         date,
      lead_source        text,
      is_deleted         boolean NOT NULL DEFAULT false,
      updated_at         timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, opportunity_id)
    );
    CREATE INDEX opportunities_by_owner ON opportunities (connection_id, owner_rep_id);

    CREATE TABLE proposals (
      connection_id   text NOT NULL,
      proposal_id     text NOT NULL,
      opportunity_id  text,
      owner_rep_id    text NOT NULL,
      status          text,
      is_submitted    boolean NOT NULL DEFAULT false,
      is_accepted     boolean NOT NULL DEFAULT false,
      is_syncing      boolean NOT NULL DEFAULT false,
      created_at      timestamptz,
      subtotal        numeric,
      total_price     numeric,
      currency        text,
      is_deleted      boolean NOT NULL DEFAULT false,
      updated_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, proposal_id)
    );
    CREATE INDEX proposals_by_owner ON proposals (connection_id, owner_rep_id);
    CREATE INDEX proposals_by_opportunity ON proposals (connection_id, opportunity_id);

    CREATE TABLE line_items (
      connection_id   text NOT NULL,
      line_item_id    text NOT NULL,
      opportunity_id  text,
      proposal_id     text,
      quantity        numeric,
      list_price      numeric,
      unit_price      numeric,
      total_price     numeric,
      is_deleted      boolean NOT NULL DEFAULT false,
      updated_at      timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, line_item_id),
      CHECK (opportunity_id IS NOT NULL OR proposal_id IS NOT NULL)
    );
    CREATE INDEX line_items_by_opportunity ON line_items (connection_id, opportunity_id);
    CREATE INDEX line_items_by_proposal ON line_items (connection_id, proposal_id);

    CREATE TABLE quotas (
      connection_id  text NOT NULL,
      source         text NOT NULL CHECK (source IN ('crm', 'file')),
      quota_id       text NOT NULL,
      rep_id         text NOT NULL,
      period_start   date NOT NULL,
      period_end     date NOT NULL,
      amount         numeric NOT NULL,
      currency       text,
      is_deleted     boolean NOT NULL DEFAULT false,
      updated_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, source, quota_id),
      CHECK (period_end >= period_start)
    );
    CREATE INDEX quotas_by_rep ON quotas (connection_id, rep_id, period_start);

    -- Conversion rates to the corporate currency: 'static' rates (Salesforce CurrencyType) apply
    -- whenever no 'dated' rate (DatedConversionRate) covers the date; dated rates apply on
    -- [start_date, end_date). rate = units of currency per 1 corporate unit.
    CREATE TABLE currency_rates (
      connection_id  text NOT NULL,
      source         text NOT NULL CHECK (source IN ('static', 'dated')),
      currency       text NOT NULL,
      start_date     date NOT NULL DEFAULT '0001-01-01',
      end_date       date,
      rate           numeric NOT NULL CHECK (rate > 0),
      is_corporate   boolean NOT NULL DEFAULT false,
      PRIMARY KEY (connection_id, source, currency, start_date)
    );

    -- normalize's own checkpoint: the highest crm_records.change_seq already turned into canonical rows.
    CREATE TABLE normalize_state (
      connection_id    text PRIMARY KEY,
      last_change_seq  bigint NOT NULL DEFAULT 0,
      updated_at       timestamptz NOT NULL DEFAULT now()
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE normalize_state;
    DROP TABLE currency_rates;
    DROP TABLE quotas;
    DROP TABLE line_items;
    DROP TABLE proposals;
    DROP TABLE opportunities;
    DROP TABLE activities;
    DROP TABLE leads;
    DROP TABLE reps;
  `.execute(db);
}
