import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { HubSpotConnectionConfig } from '../../src/config.ts';
import { insertKpiDirtySql } from '../../src/kpi/kpi-dirty.ts';
import { upsertCanonical } from '../../src/normalize/canonical-upsert.ts';
import {
  anyChanged,
  changedRecords as changed,
  ensureUnassignedRep,
  firstNumber,
  localDay as local,
  type NormalizeScope,
} from '../../src/normalize/normalize-sql.ts';
import { replaceRecordIssues } from '../../src/normalize/record-issues.ts';
import type { StageContext } from '../../src/stage.ts';
import type { ChangeRange, NormalizeReport } from '../types.ts';

/**
 * HubSpot → canonical tables, set-based and incremental, with the same semantics as Salesforce's
 * (connectors/salesforce/normalize.ts): each statement reads the landed records whose change_seq
 * falls in the range, upserts only rows that actually changed, and marks the (rep, org-local day)
 * pairs the old and the new version touch (kpi_dirty). Values that do not fit their type become
 * NULL and are reported in record_issues.
 *
 * HubSpot specifics: reps are PERSON owners (queue owners count as 'unassigned'), their manager
 * comes from teams or a configured map (owners have no manager field); won/lost come from the
 * pipeline's stage metadata; closedate is a UTC datetime taken as an org-local date; amounts in
 * the home currency are HubSpot's own (amount_in_home_currency, hs_exchange_rate); invitees of a
 * meeting (hs_attendee_owner_ids) get calendar copies as Salesforce has (is_child); replies logged
 * as emails are not a rep's activity; goal targets become quotas through the owner's user id.
 */
export async function normalizeHubSpot(
  ctx: StageContext,
  trx: Transaction<DB>,
  range: ChangeRange,
): Promise<NormalizeReport> {
  const connection = ctx.connection as HubSpotConnectionConfig;
  const p: Params = {
    conn: connection.id,
    from: range.fromSeq,
    to: range.toSeq,
    tz: ctx.config.org.timezone,
    home: ctx.config.org.currency,
    mapping: connection.mapping,
  };
  const report: NormalizeReport = { changed: {}, issues: {} };
  const count = (table: string, n: number) => {
    if (n > 0) report.changed[table] = (report.changed[table] ?? 0) + n;
  };
  const ownersChanged = await anyChanged(trx, p, ['owners']);
  // Records need remapping only when an owner's meaning changes: a queue owner (its records are
  // 'unassigned') appears or changes, or a person owner is not a rep yet (new, or was a queue).
  // Owners are re-listed every run; remapping everything on each listing made a backfill quadratic.
  const ownerMappingChanged =
    ownersChanged &&
    (await anyChanged(
      trx,
      p,
      ['owners'],
      sql`(data->>'type' IS DISTINCT FROM 'PERSON'
           OR NOT EXISTS (SELECT 1 FROM reps r WHERE r.connection_id = ${p.conn} AND r.rep_id = crm_records.crm_id))`,
    ));
  const pipelinesChanged = await anyChanged(trx, p, ['pipelines']);
  if (ownersChanged) count('reps', await normalizeReps(trx, p));
  count('leads', await normalizeLeads(trx, p, ownerMappingChanged));
  count('opportunities', await normalizeDeals(trx, p, ownerMappingChanged || pipelinesChanged));
  count('proposals', await normalizeQuotes(trx, p, ownerMappingChanged));
  count('line_items', await normalizeLineItems(trx, p));
  count('activities', await normalizeActivities(trx, p, ownerMappingChanged));
  count('quotas', await normalizeQuotas(trx, p, ownerMappingChanged));
  await ensureUnassignedRep(trx, p);
  report.issues = await recordIssues(trx, p);
  return report;
}

interface Params extends NormalizeScope {
  home: string;
  mapping: HubSpotConnectionConfig['mapping'];
}

/** The rep an owner id means: a person owner's id; queue owners and blanks are 'unassigned'. */
function owner(p: Params, expression: RawBuilder<unknown> = sql`attain_text(d->'hubspot_owner_id')`) {
  return sql`CASE WHEN ${expression} IS NULL OR EXISTS (
      SELECT 1 FROM crm_records q WHERE q.connection_id = ${p.conn} AND q.object = 'owners'
        AND q.crm_id = ${expression} AND q.data->>'type' <> 'PERSON')
    THEN 'unassigned' ELSE ${expression} END`;
}

/** The label of an enumeration value (from the cached property definitions), else the value. */
function label(p: Params, object: string, property: string) {
  // The options are read once per statement (an uncorrelated subquery), not once per record.
  return sql`coalesce(
    (SELECT value->'properties'->${property}->'options' FROM crm_metadata
     WHERE connection_id = ${p.conn} AND key = ${`hubspot:properties:${object}`})->>attain_text(d->${property}),
    attain_text(d->${property}))`;
}

/** The stages of every landed pipeline of an object type, with their metadata. */
function stages(p: Params, objectType: string) {
  return sql`
    SELECT pl.data->>'id' AS pipeline_id, st->>'id' AS stage_id, st->>'label' AS label,
           attain_boolean(st->'metadata'->'isClosed') AS is_closed,
           attain_numeric(st->'metadata'->'probability') AS probability
    FROM crm_records pl, jsonb_array_elements(CASE WHEN jsonb_typeof(pl.data->'stages') = 'array' THEN pl.data->'stages' ELSE '[]'::jsonb END) st
    WHERE pl.connection_id = ${p.conn} AND pl.object = 'pipelines' AND pl.data->>'objectType' = ${objectType}
      AND NOT pl.is_deleted`;
}

/** The manager of each owner (`m.rep_id`), as the configured tree source says. */
function managerOf(p: Params): RawBuilder<unknown> {
  const tree = p.mapping.managerTree;
  if (tree.source === 'none') return sql`NULL::text`;
  if (tree.source === 'mapping') {
    const managers = Object.fromEntries(
      Object.entries(tree.managers).map(([rep, manager]) => [rep.toLowerCase(), manager.toLowerCase()]),
    );
    return sql`(SELECT boss.crm_id FROM src boss
                WHERE lower(boss.d->>'email') = (${JSON.stringify(managers)}::jsonb)->>lower(s.d->>'email')
                ORDER BY boss.crm_id LIMIT 1)`;
  }
  // Teams: a team's lead is its additional (non-main) member; an owner's manager leads its main team.
  return sql`(SELECT l.lead_id FROM main_team mt JOIN team_leads l USING (team_id)
              WHERE mt.owner_id = s.crm_id AND l.lead_id <> s.crm_id)`;
}

function normalizeReps(trx: Transaction<DB>, p: Params): Promise<number> {
  // Every owner is re-mapped when any changed: one owner's team membership moves others' managers.
  return upsertCanonical(
    trx,
    p,
    'reps',
    sql`
    src AS (${changed(p, 'owners', true)}),
    memberships AS (
      SELECT s.crm_id AS owner_id, t->>'id' AS team_id, coalesce(attain_boolean(t->'primary'), false) AS is_primary
      FROM src s, jsonb_array_elements(CASE WHEN jsonb_typeof(s.d->'teams') = 'array' THEN s.d->'teams' ELSE '[]'::jsonb END) t
      WHERE NOT s.is_deleted AND coalesce(s.d->>'type', 'PERSON') = 'PERSON'),
    team_leads AS (
      SELECT DISTINCT ON (team_id) team_id, owner_id AS lead_id FROM memberships WHERE NOT is_primary
      ORDER BY team_id, length(owner_id), owner_id),
    main_team AS (
      SELECT DISTINCT ON (owner_id) owner_id, team_id FROM memberships WHERE is_primary ORDER BY owner_id, team_id),
    mapped AS (
      SELECT s.crm_id AS rep_id,
             nullif(concat_ws(' ', attain_text(s.d->'firstName'), attain_text(s.d->'lastName')), '') AS name,
             attain_text(s.d->'email') AS email,
             NULL::text AS title,
             ${managerOf(p)} AS manager_id,
             coalesce(attain_text(s.d->'userIdIncludingInactive'), attain_text(s.d->'userId')) AS crm_user_id,
             NOT coalesce(attain_boolean(s.d->'archived'), false) AS is_active,
             s.is_deleted
      FROM src s WHERE coalesce(s.d->>'type', 'PERSON') = 'PERSON')`,
  );
}

function normalizeLeads(trx: Transaction<DB>, p: Params, all: boolean): Promise<number> {
  const converted = sql`attain_text(d->'hs_pipeline_stage') = ANY(${p.mapping.convertedLeadStages}::text[])`;
  const source = p.mapping.leadSourceProperty
    ? label(p, 'leads', p.mapping.leadSourceProperty)
    : sql`NULL::text`;
  return upsertCanonical(
    trx,
    p,
    'leads',
    sql`
    src AS (${changed(p, 'leads', all)}),
    lead_stages AS (${stages(p, 'leads')}),
    mapped AS (
      SELECT crm_id AS lead_id, ${owner(p)} AS owner_rep_id,
             coalesce(attain_timestamptz(d->'createdAt'), attain_timestamptz(d->'hs_createdate')) AS created_at,
             coalesce(${converted}, false) AS is_converted,
             CASE WHEN ${converted} THEN ${local(p, sql`attain_timestamptz(d->${p.mapping.leadConvertedDateProperty})`)} END AS converted_on,
             ${source} AS source,
             coalesce((SELECT s.label FROM lead_stages s WHERE s.pipeline_id = attain_text(d->'hs_pipeline')
                        AND s.stage_id = attain_text(d->'hs_pipeline_stage')), attain_text(d->'hs_pipeline_stage')) AS status,
             is_deleted
      FROM src)`,
  );
}

function normalizeDeals(trx: Transaction<DB>, p: Params, all: boolean): Promise<number> {
  const source = p.mapping.leadSourceProperty
    ? label(p, 'deals', p.mapping.leadSourceProperty)
    : sql`NULL::text`;
  return upsertCanonical(
    trx,
    p,
    'opportunities',
    sql`
    src AS (${changed(p, 'deals', all)}),
    deal_stages AS (${stages(p, 'deals')}),
    fields AS (
      SELECT crm_id AS opportunity_id, ${owner(p)} AS owner_rep_id,
             attain_text(d->'dealname') AS name, coalesce(st.label, attain_text(d->'dealstage')) AS stage,
             -- won and lost from the stage metadata (closed, probability 1.0 / 0.0), never the label
             coalesce(st.is_closed, attain_boolean(d->'hs_is_closed'), false) AS is_closed,
             coalesce(st.is_closed AND st.probability = 1, attain_boolean(d->'hs_is_closed_won'), false) AS is_won,
             attain_numeric(d->'amount') AS amount,
             coalesce(attain_text(d->'deal_currency_code'), ${p.home}) AS currency,
             attain_numeric(d->'amount_in_home_currency') AS amount_in_home,
             attain_numeric(d->'hs_exchange_rate') AS exchange_rate,
             coalesce(st.probability, attain_numeric(d->'hs_deal_stage_probability')) AS probability_raw,
             CASE attain_text(d->'hs_forecast_category')
               WHEN 'OMIT' THEN 'omitted' WHEN 'PIPELINE' THEN 'pipeline' WHEN 'BEST_CASE' THEN 'best_case'
               WHEN 'COMMIT' THEN 'commit' WHEN 'CLOSED' THEN 'closed'
             END AS forecast_category,
             coalesce(attain_timestamptz(d->'createdate'), attain_timestamptz(d->'createdAt')) AS created_at,
             ${local(p, sql`attain_timestamptz(d->'closedate')`)} AS close_date,
             ${source} AS lead_source,
             is_deleted
      FROM src LEFT JOIN deal_stages st
        ON st.pipeline_id = attain_text(src.d->'pipeline') AND st.stage_id = attain_text(src.d->'dealstage')),
    mapped AS (
      SELECT opportunity_id, owner_rep_id, name, stage, is_closed, is_won, amount, currency,
             -- home-currency units per deal-currency unit: 1 at home, else HubSpot's exchange rate
             CASE WHEN currency = ${p.home} THEN 1 ELSE exchange_rate END AS home_rate,
             coalesce(amount_in_home,
                      round(amount * CASE WHEN currency = ${p.home} THEN 1 ELSE exchange_rate END, 2)) AS amount_home,
             CASE WHEN probability_raw BETWEEN 0 AND 1 THEN probability_raw END AS probability,
             forecast_category, created_at, close_date, lead_source, is_deleted
      FROM fields)`,
  );
}

/** One clause of the accepted-quote rule, enabled by the mapping. */
function acceptedBy(p: Params): RawBuilder<unknown> {
  const rule = p.mapping.acceptedQuoteRule;
  const clauses: RawBuilder<unknown>[] = [];
  if (rule.includes('signed'))
    clauses.push(sql`(coalesce(attain_boolean(d->'hs_esign_enabled'), false)
                      AND attain_numeric(d->'hs_esign_num_signers_required') > 0
                      AND attain_numeric(d->'hs_esign_num_signers_completed') >= attain_numeric(d->'hs_esign_num_signers_required'))
                     OR attain_text(d->'hs_sign_status') = 'ESIGN_COMPLETED'
                     OR attain_text(d->'hs_quote_esign_status') = 'SIGNED'`);
  if (rule.includes('manuallySigned')) clauses.push(sql`attain_boolean(d->'hs_manually_signed')`);
  if (rule.includes('paid')) clauses.push(sql`attain_text(d->'hs_payment_status') = 'PAID'`);
  if (rule.includes('dealWon')) clauses.push(sql`(o.is_closed AND o.is_won)`);
  return sql.join(
    clauses.map((clause) => sql`coalesce(${clause}, false)`),
    sql` OR `,
  );
}

function normalizeQuotes(trx: Transaction<DB>, p: Params, all: boolean): Promise<number> {
  // A quote is credited to its deal's owner and may be accepted by the deal's win: quotes of
  // changed deals are redone.
  const deal = sql`attain_text(d->'associations'->'deals'->0)`;
  const submitted = sql`coalesce(attain_text(d->'hs_status') = ANY(${p.mapping.submittedQuoteStatuses}::text[]), false)`;
  return upsertCanonical(
    trx,
    p,
    'proposals',
    sql`
    changed_deals AS (
      SELECT crm_id FROM crm_records WHERE connection_id = ${p.conn} AND object = 'deals'
        AND change_seq > ${p.from} AND change_seq <= ${p.to}),
    src AS (
      SELECT crm_id, is_deleted, data AS d FROM crm_records
      WHERE connection_id = ${p.conn} AND object = 'quotes'
        AND (${all ? sql`true` : sql`false`} OR (change_seq > ${p.from} AND change_seq <= ${p.to})
             OR data->'associations'->'deals'->>0 IN (SELECT crm_id FROM changed_deals))),
    mapped AS (
      SELECT crm_id AS proposal_id, ${deal} AS opportunity_id,
             coalesce(o.owner_rep_id, 'unassigned') AS owner_rep_id,
             attain_text(d->'hs_status') AS status,
             ${submitted} AS is_submitted,
             ${submitted} AND (${acceptedBy(p)}) AS is_accepted,
             false AS is_syncing,
             coalesce(attain_timestamptz(d->'hs_createdate'), attain_timestamptz(d->'createdAt')) AS created_at,
             NULL::numeric AS subtotal, attain_numeric(d->'hs_quote_amount') AS total_price,
             attain_text(d->'hs_currency') AS currency, src.is_deleted
      FROM src LEFT JOIN opportunities o ON o.connection_id = ${p.conn} AND o.opportunity_id = ${deal})`,
  );
}

function normalizeLineItems(trx: Transaction<DB>, p: Params): Promise<number> {
  // price is the list (unit) price; discount is per unit (or hs_discount_percentage); amount is net.
  const price = sql`attain_numeric(d->'price')`;
  const quantity = sql`attain_numeric(d->'quantity')`;
  const unitDiscount = sql`coalesce(attain_numeric(d->'discount'), ${price} * attain_numeric(d->'hs_discount_percentage') / 100, 0)`;
  return upsertCanonical(
    trx,
    p,
    'line_items',
    sql`
    src AS (${changed(p, 'line_items')}),
    mapped AS (
      SELECT crm_id AS line_item_id,
             -- a quote's line items belong to the quote (Salesforce QuoteLineItem), others to the deal
             CASE WHEN attain_text(d->'associations'->'quotes'->0) IS NULL THEN attain_text(d->'associations'->'deals'->0) END AS opportunity_id,
             attain_text(d->'associations'->'quotes'->0) AS proposal_id,
             ${quantity} AS quantity, ${price} AS list_price, ${price} - ${unitDiscount} AS unit_price,
             coalesce(attain_numeric(d->'amount'),
                      round(${price} * ${quantity} - coalesce(attain_numeric(d->'hs_total_discount'), ${unitDiscount} * ${quantity}), 2)) AS total_price,
             is_deleted
      FROM src
      WHERE attain_text(d->'associations'->'quotes'->0) IS NOT NULL OR attain_text(d->'associations'->'deals'->0) IS NOT NULL)`,
  );
}

async function normalizeActivities(trx: Transaction<DB>, p: Params, all: boolean): Promise<number> {
  const canceled = sql`coalesce(attain_text(d->'hs_meeting_outcome') = ANY(${p.mapping.canceledMeetingOutcomes}::text[]), false)`;
  const direction = sql`coalesce(attain_text(d->'hs_email_direction'), 'EMAIL')`;
  const meetingStart = sql`coalesce(attain_timestamptz(d->'hs_meeting_start_time'), attain_timestamptz(d->'hs_timestamp'))`;
  const attendees = sql`unnest(string_to_array(attain_text(d->'hs_attendee_owner_ids'), ';'))`;
  const calls = sql`
    SELECT crm_id AS activity_id, 'call' AS kind, ${owner(p)} AS owner_rep_id,
           attain_timestamptz(d->'hs_timestamp') AS occurred_at, NULL::date AS occurred_on,
           coalesce(attain_text(d->'hs_call_status') = 'COMPLETED', false) AS is_completed,
           CASE attain_text(d->'hs_call_direction') WHEN 'OUTBOUND' THEN 'outbound' WHEN 'INBOUND' THEN 'inbound' END AS direction,
           ${label(p, 'calls', 'hs_call_disposition')} AS outcome,
           coalesce(attain_text(d->'hs_call_disposition') = ANY(${p.mapping.connectedCallOutcomes}::text[]), false) AS is_connected,
           false AS is_canceled, false AS is_child, is_deleted
    FROM (${changed(p, 'calls', all)}) src`;
  // What a rep sent (as Salesforce logs it); a logged reply is not the rep's activity.
  const emails = sql`
    SELECT crm_id, 'email', ${owner(p)}, attain_timestamptz(d->'hs_timestamp'), NULL::date,
           coalesce(attain_text(d->'hs_email_status'), 'SENT') NOT IN ('SCHEDULED', 'SENDING', 'FAILED'),
           'outbound', NULL::text, false, false, false,
           is_deleted OR ${direction} <> 'EMAIL'
    FROM (${changed(p, 'emails', all)}) src
    WHERE ${direction} = 'EMAIL'
       OR EXISTS (SELECT 1 FROM activities a WHERE a.connection_id = ${p.conn} AND a.activity_id = src.crm_id)`;
  const meetings = sql`
    SELECT crm_id, 'meeting', ${owner(p)}, ${meetingStart}, NULL::date,
           NOT ${canceled}, NULL::text, attain_text(d->'hs_meeting_outcome'), false, ${canceled}, false, is_deleted
    FROM (${changed(p, 'meetings', all)}) src`;
  // One calendar copy per invitee (Salesforce's IsChild events): not counted, but the invitee's.
  const invitees = sql`
    SELECT src.crm_id || ':' || attendee, 'meeting', ${owner(p, sql`attendee`)}, ${meetingStart}, NULL::date,
           NOT ${canceled}, NULL::text, attain_text(d->'hs_meeting_outcome'), false, ${canceled}, true, is_deleted
    FROM (${changed(p, 'meetings', all)}) src, ${attendees} AS attendee
    WHERE attendee <> coalesce(attain_text(d->'hubspot_owner_id'), '')`;
  const upserted = await upsertCanonical(
    trx,
    p,
    'activities',
    sql`
    mapped AS (
      SELECT a.*, false AS is_archived
      FROM (${calls} UNION ALL ${emails} UNION ALL ${meetings} UNION ALL ${invitees}) a)`,
  );
  return upserted + (await retireInviteeCopies(trx, p, all));
}

/** Invitee copies of changed meetings whose invitee was removed: deleted, like the copy in Salesforce. */
async function retireInviteeCopies(trx: Transaction<DB>, p: Params, all: boolean): Promise<number> {
  return firstNumber(
    sql`
    WITH src AS (${changed(p, 'meetings', all)}),
    current AS (
      SELECT src.crm_id || ':' || attendee AS activity_id
      FROM src, unnest(string_to_array(attain_text(src.d->'hs_attendee_owner_ids'), ';')) AS attendee),
    retired AS (
      UPDATE activities a SET is_deleted = true, updated_at = now()
      WHERE a.connection_id = ${p.conn} AND a.kind = 'meeting' AND a.is_child AND NOT a.is_deleted
        AND split_part(a.activity_id, ':', 1) IN (SELECT crm_id FROM src)
        AND a.activity_id NOT IN (SELECT activity_id FROM current)
      RETURNING a.owner_rep_id, a.occurred_at),
    dirty AS (${insertKpiDirtySql(p.conn, sql`SELECT owner_rep_id, ${local(p, sql`occurred_at`)} FROM retired`)})
    SELECT count(*) FROM retired`,
    trx,
  );
}

function normalizeQuotas(trx: Transaction<DB>, p: Params, all: boolean): Promise<number> {
  const names = p.mapping.quotaGoalNames;
  const notQuota = names
    ? sql`NOT coalesce(attain_text(src.d->'hs_goal_name') = ANY(${names}::text[]), false)`
    : sql`false`;
  return upsertCanonical(
    trx,
    p,
    'quotas',
    sql`
    src AS (${changed(p, 'goal_targets', all)}),
    considered AS (
      SELECT src.crm_id AS quota_id, r.rep_id,
             ${local(p, sql`attain_timestamptz(src.d->'hs_start_datetime')`)} AS period_start,
             -- the end is the period's last instant (or the next period's first): its day is the last day
             ${local(p, sql`(attain_timestamptz(src.d->'hs_end_datetime') - interval '1 millisecond')`)} AS period_end,
             coalesce(attain_numeric(src.d->'hs_target_amount_in_home_currency'), attain_numeric(src.d->'hs_target_amount')) AS amount,
             src.is_deleted OR ${notQuota} AS excluded
      FROM src
      LEFT JOIN reps r ON r.connection_id = ${p.conn} AND r.rep_id <> 'unassigned'
                      AND r.crm_user_id = attain_text(src.d->'hs_assignee_user_id')),
    mapped AS (
      SELECT 'crm' AS source, quota_id, rep_id, period_start, period_end, amount, NULL::text AS currency,
             excluded AS is_deleted
      FROM considered
      WHERE rep_id IS NOT NULL AND period_start IS NOT NULL AND period_end >= period_start AND amount IS NOT NULL)`,
  );
}

/** A landed property's value that its cast could not read, per object. */
const TYPED_PROPERTIES: Record<string, Array<[property: string, cast: string]>> = {
  leads: [['hs_createdate', 'attain_timestamptz']],
  deals: [
    ['createdate', 'attain_timestamptz'],
    ['closedate', 'attain_timestamptz'],
    ['amount', 'attain_numeric'],
    ['amount_in_home_currency', 'attain_numeric'],
    ['hs_exchange_rate', 'attain_numeric'],
  ],
  line_items: [
    ['price', 'attain_numeric'],
    ['quantity', 'attain_numeric'],
    ['discount', 'attain_numeric'],
    ['amount', 'attain_numeric'],
  ],
  quotes: [
    ['hs_createdate', 'attain_timestamptz'],
    ['hs_quote_amount', 'attain_numeric'],
  ],
  calls: [['hs_timestamp', 'attain_timestamptz']],
  emails: [['hs_timestamp', 'attain_timestamptz']],
  meetings: [
    ['hs_meeting_start_time', 'attain_timestamptz'],
    ['hs_timestamp', 'attain_timestamptz'],
  ],
  goal_targets: [
    ['hs_start_datetime', 'attain_timestamptz'],
    ['hs_end_datetime', 'attain_timestamptz'],
    ['hs_target_amount', 'attain_numeric'],
  ],
};

/** Enumeration properties whose values KPIs interpret; a value not among the options is reported. */
const ENUM_PROPERTIES: Record<string, string[]> = {
  calls: ['hs_call_status', 'hs_call_disposition'],
  emails: ['hs_email_direction'],
  meetings: ['hs_meeting_outcome'],
  quotes: ['hs_status'],
  deals: ['hs_forecast_category'],
};

/** What is wrong with the records in the range, in record_issues; returns the count per issue code. */
function recordIssues(trx: Transaction<DB>, p: Params): Promise<Record<string, number>> {
  return replaceRecordIssues(trx, p, {
    typed: TYPED_PROPERTIES,
    picklists: ENUM_PROPERTIES,
    // an enumeration's options, cached from the properties API as {value: label}
    allowedValues: (enumKeys) => sql`
      SELECT split_part(m.key, ':', 3) AS object, f.key AS field, o.value
      FROM crm_metadata m
      CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(m.value->'properties') = 'object' THEN m.value->'properties' END) AS f(key, value)
      CROSS JOIN LATERAL jsonb_object_keys(CASE WHEN jsonb_typeof(f.value->'options') = 'object' THEN f.value->'options' END) AS o(value)
      WHERE m.connection_id = ${p.conn} AND m.key LIKE 'hubspot:properties:%'
        AND split_part(m.key, ':', 3) || '.' || f.key = ANY(${enumKeys}::text[])`,
    unknownValue: "that is not one of the property's options",
    more: [
      sql`
      SELECT 'deals', crm_id, 'dealstage', 'UNKNOWN_PICKLIST_VALUE',
             'deals.dealstage ' || coalesce(d->>'dealstage', '(none)') || ' is not a stage of pipeline ' || coalesce(d->>'pipeline', '(none)')
      FROM (${changed(p, 'deals')}) src
      WHERE NOT is_deleted AND NOT EXISTS (
        SELECT 1 FROM (${stages(p, 'deals')}) st WHERE st.pipeline_id = src.d->>'pipeline' AND st.stage_id = src.d->>'dealstage')`,
      sql`
      SELECT 'deals', o.opportunity_id, 'hs_exchange_rate', 'NO_CONVERSION_RATE',
             'no exchange rate for ' || o.currency || ' on ' || coalesce(o.close_date::text, 'an unknown date')
      FROM opportunities o JOIN crm_records r ON r.connection_id = o.connection_id AND r.object = 'deals' AND r.crm_id = o.opportunity_id
      WHERE o.connection_id = ${p.conn} AND r.change_seq > ${p.from} AND r.change_seq <= ${p.to}
        AND o.amount IS NOT NULL AND o.amount_home IS NULL`,
      sql`
      SELECT 'goal_targets', crm_id, 'hs_assignee_user_id', 'UNKNOWN_ASSIGNEE',
             'goal target assigned to user ' || coalesce(d->>'hs_assignee_user_id', '(none)') || ', who is no owner'
      FROM (${changed(p, 'goal_targets')}) src
      WHERE NOT is_deleted AND NOT EXISTS (
        SELECT 1 FROM reps r WHERE r.connection_id = ${p.conn} AND r.crm_user_id = src.d->>'hs_assignee_user_id')`,
    ],
  });
}
