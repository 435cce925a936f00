import { sql, type Kysely } from 'kysely';

/**
 * Casts from landed JSON values that never fail: a value that does not fit becomes NULL (and
 * normalize reports it), so one malformed CRM record cannot abort a whole normalize run.
 *
 * Plain SQL, no PL/pgSQL exception handlers: an EXCEPTION block opens a subtransaction on every
 * call, which made normalize of a million records crawl. Each value is checked by pattern (and a
 * date by its month's length) before the cast, so the cast itself cannot fail; CASE guarantees
 * the order of evaluation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION attain_numeric(v jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE jsonb_typeof(v)
        WHEN 'number' THEN v::numeric
        WHEN 'string' THEN CASE WHEN (v #>> '{}') ~ '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]{1,3})?\\s*$'
                                THEN (v #>> '{}')::numeric END
      END
    $$;

    CREATE FUNCTION attain_boolean(v jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE jsonb_typeof(v)
        WHEN 'boolean' THEN (v #>> '{}')::boolean
        WHEN 'string' THEN CASE lower(v #>> '{}') WHEN 'true' THEN true WHEN 'false' THEN false END
      END
    $$;

    -- 'YYYY-MM-DD' (a longer string is cut to its date) that is a real calendar day, else NULL.
    -- Days up to 28 exist in every month: only the rest need the month's length.
    CREATE FUNCTION attain_date_text(t text) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE WHEN t ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])' AND left(t, 4) <> '0000'
                   AND (substr(t, 9, 2) <= '28'
                        OR substr(t, 9, 2)::int <= extract(day FROM make_date(left(t, 4)::int, substr(t, 6, 2)::int, 1)
                                                                     + interval '1 month - 1 day')::int)
             THEN left(t, 10)::date END
    $$;

    CREATE FUNCTION attain_date(v jsonb) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE WHEN jsonb_typeof(v) = 'string' THEN attain_date_text(v #>> '{}') END
    $$;

    -- An ISO-8601 instant (date, 'T', time, optional fraction and zone); NULL when not one.
    CREATE FUNCTION attain_timestamptz_text(t text) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE WHEN t ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,9})?)?(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?$'
                   AND left(t, 4) <> '0000'
                   AND (substr(t, 9, 2) <= '28'
                        OR substr(t, 9, 2)::int <= extract(day FROM make_date(left(t, 4)::int, substr(t, 6, 2)::int, 1)
                                                                     + interval '1 month - 1 day')::int)
             THEN t::timestamptz END
    $$;

    CREATE FUNCTION attain_timestamptz(v jsonb) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE WHEN jsonb_typeof(v) = 'string' THEN attain_timestamptz_text(v #>> '{}') END
    $$;

    CREATE FUNCTION attain_text(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT CASE WHEN jsonb_typeof(v) IN ('string', 'number', 'boolean') THEN v #>> '{}' END
    $$;

    -- True when the field holds a value that its cast rejected (for record_issues).
    CREATE FUNCTION attain_is_bad(v jsonb, cast_result text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT v IS NOT NULL AND jsonb_typeof(v) <> 'null' AND cast_result IS NULL
    $$;
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP FUNCTION attain_is_bad(jsonb, text);
    DROP FUNCTION attain_text(jsonb);
    DROP FUNCTION attain_timestamptz(jsonb);
    DROP FUNCTION attain_timestamptz_text(text);
    DROP FUNCTION attain_date(jsonb);
    DROP FUNCTION attain_date_text(text);
    DROP FUNCTION attain_boolean(jsonb);
    DROP FUNCTION attain_numeric(jsonb);
  `.execute(db);
}
