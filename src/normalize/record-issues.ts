import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { changedRecords, type NormalizeScope } from './normalize-sql.ts';

/** A landed field whose value its safe cast (attain_numeric, attain_date…) could not read. */
export type TypedFields = Record<string, ReadonlyArray<readonly [field: string, cast: string]>>;

export interface IssueChecks {
  /** Fields KPIs read, per object, with the cast normalize reads them with (BAD_VALUE). */
  typed: TypedFields;
  /** Enumerated fields KPIs interpret, per object (UNKNOWN_PICKLIST_VALUE). */
  picklists: Record<string, readonly string[]>;
  /** The CRM's allowed values of the fields named "object.field", as rows (object, field, value). */
  allowedValues: (fieldKeys: string[]) => RawBuilder<unknown>;
  /** How the CRM calls a value outside the allowed ones, e.g. "not in the org's picklist". */
  unknownValue: string;
  /** Connector-specific checks, as rows (object, crm_id, field, code, message). */
  more: RawBuilder<unknown>[];
}

/**
 * Replaces the normalize issues of every record in the scope with what is wrong with it now
 * (record_issues, with the record id, field and reason), and returns the count per issue code.
 * A field with no allowed values listed (describe had none, the options are empty) is not checked.
 */
export async function replaceRecordIssues(
  trx: Transaction<DB>,
  scope: NormalizeScope,
  checks: IssueChecks,
): Promise<Record<string, number>> {
  await sql`
    DELETE FROM record_issues i USING crm_records r
    WHERE i.connection_id = ${scope.conn} AND i.stage = 'normalize' AND r.connection_id = ${scope.conn}
      AND r.object = i.object AND r.crm_id = i.crm_id
      AND r.change_seq > ${scope.from} AND r.change_seq <= ${scope.to}`.execute(trx);
  // One scan per object. The checks are OR-ed in a WHERE (evaluated once per record, cheaply);
  // only the few records that fail one are expanded into a row per failing field (a LATERAL
  // VALUES list costs a subplan per row, ten times the checks themselves).
  const objects = [...new Set([...Object.keys(checks.typed), ...Object.keys(checks.picklists)])];
  const found = objects.map((object) => {
    const all = [
      ...(checks.typed[object] ?? []).map(([field, cast]) => ({
        field,
        code: 'BAD_VALUE',
        prefix: `${object}.${field} is not a valid ${cast.replace('attain_', '')}: `,
        bad: sql`attain_is_bad(d->${field}, ${sql.raw(cast)}(d->${field})::text)`,
      })),
      ...(checks.picklists[object] ?? []).map((field) => ({
        field,
        code: 'UNKNOWN_PICKLIST_VALUE',
        prefix: `${object}.${field} has a value ${checks.unknownValue}: `,
        // The field's values are an uncorrelated subquery: read once per statement, not per record.
        bad: sql`(d->>${field} <> ALL(coalesce(
                    (SELECT a.vals FROM allowed a WHERE a.object = ${object} AND a.field = ${field}),
                    ARRAY[d->>${field}])))`,
      })),
    ];
    return sql`
      SELECT ${object}::text AS object, bad.crm_id, f.field, f.code, f.prefix || left(bad.d->>f.field, 120) AS message
      FROM (SELECT crm_id, d FROM (${changedRecords(scope, object)}) src
            WHERE ${sql.join(
              all.map((check) => check.bad),
              sql` OR `,
            )}) bad
      CROSS JOIN LATERAL (VALUES ${sql.join(
        all.map(
          (check) => sql`(${check.field}::text, ${check.code}::text, ${check.prefix}::text, ${check.bad})`,
        ),
      )}) AS f(field, code, prefix, failed)
      WHERE f.failed`;
  });
  const { rows } = await sql<{ code: string; n: number }>`
    WITH allowed AS MATERIALIZED (
      SELECT object, field, array_agg(value) AS vals
      FROM (${checks.allowedValues(
        Object.entries(checks.picklists).flatMap(([object, fields]) =>
          fields.map((field) => `${object}.${field}`),
        ),
      )}) listed(object, field, value)
      GROUP BY object, field),
    found AS (${sql.join([...found, ...checks.more], sql` UNION ALL `)}),
    saved AS (
      INSERT INTO record_issues (connection_id, stage, object, crm_id, field, code, message)
      SELECT DISTINCT ON (object, crm_id, field, code) ${scope.conn}, 'normalize', object, crm_id, field, code, message
      FROM found
      ON CONFLICT (connection_id, stage, object, crm_id, field, code)
      DO UPDATE SET message = excluded.message, last_seen_at = now()
      RETURNING code)
    SELECT code, count(*)::int AS n FROM saved GROUP BY code`.execute(trx);
  return Object.fromEntries(rows.map((row) => [row.code, row.n]));
}
