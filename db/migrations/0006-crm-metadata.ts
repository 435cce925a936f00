import { sql, type Kysely } from 'kysely';

/**
 * Cached CRM metadata (Salesforce describe results, HubSpot properties and pipelines), so a
 * routine incremental sync spends its API calls on data, not on re-reading the schema.
 * Entries carry when they were fetched; connectors refresh them past their own max age.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE crm_metadata (
      connection_id  text NOT NULL,
      key            text NOT NULL,
      value          jsonb NOT NULL,
      fetched_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, key)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE crm_metadata`.execute(db);
}
