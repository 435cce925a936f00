import { sql, type Kysely } from 'kysely';

/**
 * kpi_dirty keeps (rep, org-local month) instead of (rep, day): the KPI engine recomputes whole
 * months, and a day per row made a backfill's normalize write ~700,000 marks at scale 2000 for the
 * first KPI run to delete again (leaving as many dead rows for the next run to scan). Marks still
 * pending are kept, as their months.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE kpi_dirty RENAME COLUMN day TO month_start;
    DELETE FROM kpi_dirty d USING kpi_dirty e
    WHERE e.connection_id = d.connection_id AND e.rep_id = d.rep_id
      AND date_trunc('month', e.month_start) = date_trunc('month', d.month_start) AND e.month_start < d.month_start;
    UPDATE kpi_dirty SET month_start = date_trunc('month', month_start)::date;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // a month mark reads back as a mark of its first day, which lies in the same month
  await sql`ALTER TABLE kpi_dirty RENAME COLUMN month_start TO day`.execute(db);
}
