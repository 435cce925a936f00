import { sql, type Kysely } from 'kysely';

/**
 * What the digest send log needs beyond 0003.
 *
 * A row is claimed ('sending') before its message goes out; claimed_at is when, so a claim left
 * behind by a crashed process can be taken over once it is older than the lease, and run_id is
 * the run that holds it (only that run may mark it sent or failed; it also links the row to the
 * `runs` audit). destination says where it went — the email addresses, or "slack" (never the
 * webhook URL, which is a secret).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE digest_log ADD COLUMN claimed_at timestamptz NOT NULL DEFAULT now();
    ALTER TABLE digest_log ADD COLUMN run_id bigint;
    ALTER TABLE digest_log ADD COLUMN destination text;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE digest_log DROP COLUMN destination;
    ALTER TABLE digest_log DROP COLUMN run_id;
    ALTER TABLE digest_log DROP COLUMN claimed_at;
  `.execute(db);
}
