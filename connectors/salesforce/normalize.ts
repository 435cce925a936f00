import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { SalesforceConnectionConfig } from '../../src/config.ts';
import { upsertCanonical } from '../../src/normalize/canonical-upsert.ts';
import {
  anyChanged,
  changedRecords as changed,
  ensureUnassignedRep,
  type NormalizeScope,
} from '../../src/normalize/normalize-sql.ts';
import { replaceRecordIssues } from '../../src/normalize/record-issues.ts';
import type { StageContext } from '../../src/stage.ts';
import type { ChangeRange, NormalizeReport } from '../types.ts';

/**
 * Salesforce → canonical tables, set-based and incremental: each statement reads the landed
 * records whose change_seq falls in the range, upserts only rows that actually changed, and marks
 * the (rep, org-local day) pairs whose KPIs the old and the new version touch (kpi_dirty).
 * Values that do not fit their type become NULL and are reported in record_issues.
 *
 * Order matters: rates before opportunities (amount_home), opportunities before proposals (a
 * proposal is credited to its opportunity's owner) and line items (dirty days come from the
 * opportunity). Derived rows are re-derived when what they depend on changes.
 */
export async function normalizeSalesforce(
  ctx: StageContext,
  trx: Transaction<DB>,
  range: ChangeRange,
): Promise<NormalizeReport> {
  const connection = ctx.connection as SalesforceConnectionConfig;
  const p: Params = {
    conn: connection.id,
    from: range.fromSeq,
    to: range.toSeq,
    tz: ctx.config.org.timezone,
    mapping: connection.mapping,
  };
  const report: NormalizeReport = { changed: {}, issues: {} };
  const count = (table: string, n: number) => {
    if (n > 0) report.changed[table] = (report.changed[table] ?? 0) + n;
  };

  // Each step's duration is logged at debug level: the first thing to look at when one is slow.
  const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await run();
    ctx.logger.debug({ step: name, ms: Math.round(performance.now() - started) }, 'normalize step');
    return result;
  };
  const ratesChanged = await step(
    'rates',
    async () =>
      (await anyChanged(trx, p, ['CurrencyType', 'DatedConversionRate'])) && (await rebuildRates(trx, p)),
  );
  const periodsChanged = await anyChanged(trx, p, ['Period']);
  count('reps', await step('reps', () => normalizeReps(trx, p)));
  count('leads', await step('leads', () => normalizeLeads(trx, p)));
  count('opportunities', await step('opportunities', () => normalizeOpportunities(trx, p, ratesChanged)));
  count('proposals', await step('proposals', () => normalizeProposals(trx, p)));
  count(
    'line_items',
    await step('opportunity line items', () => normalizeLineItems(trx, p, 'OpportunityLineItem')),
  );
  count('line_items', await step('quote line items', () => normalizeLineItems(trx, p, 'QuoteLineItem')));
  count('activities', await step('tasks', () => normalizeTasks(trx, p)));
  count('activities', await step('events', () => normalizeEvents(trx, p)));
  count('quotas', await step('quotas', () => normalizeQuotas(trx, p, ratesChanged || periodsChanged)));
  await ensureUnassignedRep(trx, p);
  report.issues = await step('record issues', () => recordIssues(trx, p));
  return report;
}

interface Params extends NormalizeScope {
  mapping: SalesforceConnectionConfig['mapping'];
}

/** The rep a Salesforce owner id means: users are reps; queues and blanks are 'unassigned'. */
const owner = (field: string) =>
  sql.raw(
    `CASE WHEN attain_text(d->'${field}') LIKE '005%' THEN attain_text(d->'${field}') ELSE 'unassigned' END`,
  );

/**
 * The dated rate covering `day` (DatedConversionRate) and the static one (CurrencyType) of the
 * row's currency: plain joins the planner can hash, not a lookup per row.
 */
function rateJoins(p: Params, day: string): RawBuilder<unknown> {
  return sql`
    LEFT JOIN currency_rates dated ON dated.connection_id = ${p.conn} AND dated.source = 'dated' AND dated.currency = m.currency
      AND ${sql.raw(day)} >= dated.start_date AND (dated.end_date IS NULL OR ${sql.raw(day)} < dated.end_date)
    LEFT JOIN currency_rates fixed ON fixed.connection_id = ${p.conn} AND fixed.source = 'static' AND fixed.currency = m.currency`;
}

/** Rebuilds currency_rates from CurrencyType/DatedConversionRate; true when the rates changed. */
async function rebuildRates(trx: Transaction<DB>, p: Params): Promise<boolean> {
  const fingerprint = sql`SELECT coalesce(md5(string_agg(concat_ws('|', source, currency, start_date, end_date, rate, is_corporate), ',' ORDER BY source, currency, start_date)), '')
                          FROM currency_rates WHERE connection_id = ${p.conn}`;
  const before = (await fingerprint.execute(trx)).rows[0];
  await sql`DELETE FROM currency_rates WHERE connection_id = ${p.conn}`.execute(trx);
  await sql`
    INSERT INTO currency_rates (connection_id, source, currency, start_date, end_date, rate, is_corporate)
    SELECT ${p.conn}, 'static', attain_text(d->'IsoCode'), DATE '0001-01-01', NULL, attain_numeric(d->'ConversionRate'),
           coalesce(attain_boolean(d->'IsCorporate'), false)
    FROM (${changed(p, 'CurrencyType', true)}) src
    WHERE NOT is_deleted AND attain_text(d->'IsoCode') IS NOT NULL AND attain_numeric(d->'ConversionRate') > 0
      AND coalesce(attain_boolean(d->'IsActive'), true)
    UNION ALL
    SELECT ${p.conn}, 'dated', attain_text(d->'IsoCode'), attain_date(d->'StartDate'), attain_date(d->'NextStartDate'),
           attain_numeric(d->'ConversionRate'), false
    FROM (${changed(p, 'DatedConversionRate', true)}) src
    WHERE NOT is_deleted AND attain_text(d->'IsoCode') IS NOT NULL AND attain_date(d->'StartDate') IS NOT NULL
      AND attain_numeric(d->'ConversionRate') > 0
    ON CONFLICT DO NOTHING`.execute(trx);
  const after = (await fingerprint.execute(trx)).rows[0];
  return JSON.stringify(before) !== JSON.stringify(after);
}

function normalizeReps(trx: Transaction<DB>, p: Params): Promise<number> {
  return upsertCanonical(
    trx,
    p,
    'reps',
    sql`
    src AS (${changed(p, 'User')}),
    mapped AS (
      SELECT crm_id AS rep_id,
             coalesce(attain_text(d->'Name'), nullif(concat_ws(' ', attain_text(d->'FirstName'), attain_text(d->'LastName')), '')) AS name,
             attain_text(d->'Email') AS email,
             attain_text(d->'Title') AS title,
             attain_text(d->'ManagerId') AS manager_id,
             crm_id AS crm_user_id,
             coalesce(attain_boolean(d->'IsActive'), true) AS is_active,
             -- integration, automated and portal users are not reps
             is_deleted OR coalesce(attain_text(d->'UserType'), 'Standard') <> 'Standard' AS is_deleted
      FROM src)`,
  );
}

function normalizeLeads(trx: Transaction<DB>, p: Params): Promise<number> {
  return upsertCanonical(
    trx,
    p,
    'leads',
    sql`
    src AS (${changed(p, 'Lead')}),
    mapped AS (
      SELECT crm_id AS lead_id, ${owner('OwnerId')} AS owner_rep_id,
             attain_timestamptz(d->'CreatedDate') AS created_at,
             coalesce(attain_boolean(d->'IsConverted'), false) AS is_converted,
             attain_date(d->'ConvertedDate') AS converted_on,
             attain_text(d->'LeadSource') AS source, attain_text(d->'Status') AS status,
             is_deleted
      FROM src)`,
  );
}

function normalizeOpportunities(trx: Transaction<DB>, p: Params, all: boolean): Promise<number> {
  return upsertCanonical(
    trx,
    p,
    'opportunities',
    sql`
    src AS (${changed(p, 'Opportunity', all)}),
    fields AS (
      SELECT crm_id AS opportunity_id, ${owner('OwnerId')} AS owner_rep_id,
             attain_text(d->'Name') AS name, attain_text(d->'StageName') AS stage,
             coalesce(attain_boolean(d->'IsClosed'), false) AS is_closed,
             coalesce(attain_boolean(d->'IsWon'), false) AS is_won,
             attain_numeric(d->'Amount') AS amount,
             attain_text(d->'CurrencyIsoCode') AS currency,
             attain_numeric(d->'Probability') AS probability_pct,
             CASE coalesce(attain_text(d->'ForecastCategory'), attain_text(d->'ForecastCategoryName'))
               WHEN 'Omitted' THEN 'omitted' WHEN 'Pipeline' THEN 'pipeline'
               WHEN 'BestCase' THEN 'best_case' WHEN 'Best Case' THEN 'best_case'
               WHEN 'Forecast' THEN 'commit' WHEN 'Commit' THEN 'commit' WHEN 'Closed' THEN 'closed'
             END AS forecast_category,
             attain_timestamptz(d->'CreatedDate') AS created_at,
             attain_date(d->'CloseDate') AS close_date,
             attain_text(d->'LeadSource') AS lead_source,
             is_deleted
      FROM src),
    rated AS (
      SELECT m.*, CASE WHEN m.currency IS NULL THEN 1 ELSE coalesce(dated.rate, fixed.rate) END AS rate
      FROM fields m
      ${rateJoins(p, 'm.close_date')}),
    mapped AS (
      SELECT opportunity_id, owner_rep_id, name, stage, is_closed, is_won, amount, currency,
             round(amount / rate, 2) AS amount_home, 1 / rate AS home_rate,
             CASE WHEN probability_pct BETWEEN 0 AND 100 THEN probability_pct / 100 END AS probability,
             forecast_category, created_at, close_date, lead_source, is_deleted
      FROM rated)`,
  );
}

function normalizeProposals(trx: Transaction<DB>, p: Params): Promise<number> {
  // A quote is credited to its opportunity's owner, so quotes of changed opportunities are redone.
  return upsertCanonical(
    trx,
    p,
    'proposals',
    sql`
    changed_opportunities AS (
      SELECT crm_id FROM crm_records WHERE connection_id = ${p.conn} AND object = 'Opportunity'
        AND change_seq > ${p.from} AND change_seq <= ${p.to}),
    src AS (
      SELECT crm_id, is_deleted, data AS d FROM crm_records
      WHERE connection_id = ${p.conn} AND object = 'Quote'
        AND ((change_seq > ${p.from} AND change_seq <= ${p.to}) OR data->>'OpportunityId' IN (SELECT crm_id FROM changed_opportunities))),
    mapped AS (
      SELECT crm_id AS proposal_id, attain_text(d->'OpportunityId') AS opportunity_id,
             coalesce(o.owner_rep_id, 'unassigned') AS owner_rep_id,
             attain_text(d->'Status') AS status,
             coalesce(attain_text(d->'Status') = ANY(${p.mapping.submittedQuoteStatuses}::text[]), false) AS is_submitted,
             coalesce(attain_text(d->'Status') = ANY(${p.mapping.acceptedQuoteStatuses}::text[]), false) AS is_accepted,
             coalesce(attain_boolean(d->'IsSyncing'), false) AS is_syncing,
             attain_timestamptz(d->'CreatedDate') AS created_at,
             attain_numeric(d->'Subtotal') AS subtotal, attain_numeric(d->'TotalPrice') AS total_price,
             attain_text(d->'CurrencyIsoCode') AS currency, src.is_deleted
      FROM src LEFT JOIN opportunities o ON o.connection_id = ${p.conn} AND o.opportunity_id = attain_text(src.d->'OpportunityId'))`,
  );
}

function normalizeLineItems(
  trx: Transaction<DB>,
  p: Params,
  object: 'OpportunityLineItem' | 'QuoteLineItem',
): Promise<number> {
  const parent = object === 'OpportunityLineItem' ? 'OpportunityId' : 'QuoteId';
  return upsertCanonical(
    trx,
    p,
    'line_items',
    sql`
    src AS (${changed(p, object)}),
    mapped AS (
      SELECT crm_id AS line_item_id,
             ${object === 'OpportunityLineItem' ? sql`attain_text(d->'OpportunityId')` : sql`NULL::text`} AS opportunity_id,
             ${object === 'QuoteLineItem' ? sql`attain_text(d->'QuoteId')` : sql`NULL::text`} AS proposal_id,
             attain_numeric(d->'Quantity') AS quantity, attain_numeric(d->'ListPrice') AS list_price,
             attain_numeric(d->'UnitPrice') AS unit_price,
             coalesce(attain_numeric(d->'TotalPrice'),
                      round(attain_numeric(d->'UnitPrice') * attain_numeric(d->'Quantity')
                            * (1 - coalesce(attain_numeric(d->'Discount'), 0) / 100), 2)) AS total_price,
             is_deleted
      FROM src WHERE attain_text(d->${parent}) IS NOT NULL)`,
  );
}

function normalizeTasks(trx: Transaction<DB>, p: Params): Promise<number> {
  return upsertCanonical(
    trx,
    p,
    'activities',
    sql`
    mapped AS (
      SELECT crm_id AS activity_id,
             CASE attain_text(d->'TaskSubtype') WHEN 'Call' THEN 'call' WHEN 'Email' THEN 'email' END AS kind,
             ${owner('OwnerId')} AS owner_rep_id,
             attain_timestamptz(d->'CompletedDateTime') AS occurred_at,
             attain_date(d->'ActivityDate') AS occurred_on,
             coalesce(attain_boolean(d->'IsClosed'), attain_text(d->'Status') = 'Completed', false) AS is_completed,
             CASE WHEN attain_text(d->'TaskSubtype') = 'Email' THEN 'outbound'
                  WHEN attain_text(d->'CallType') = 'Outbound' THEN 'outbound'
                  WHEN attain_text(d->'CallType') = 'Inbound' THEN 'inbound' END AS direction,
             attain_text(d->'CallDisposition') AS outcome,
             coalesce(attain_text(d->'CallDisposition') = ANY(${p.mapping.connectedCallDispositions}::text[]), false) AS is_connected,
             false AS is_canceled, false AS is_child,
             coalesce(attain_boolean(d->'IsArchived'), false) AS is_archived,
             is_deleted
      FROM (${changed(p, 'Task')}) src
      WHERE attain_text(d->'TaskSubtype') IN ('Call', 'Email'))`,
  );
}

function normalizeEvents(trx: Transaction<DB>, p: Params): Promise<number> {
  const outcomeField = p.mapping.meetingOutcomeField;
  const outcome = outcomeField ? sql`attain_text(d->${outcomeField})` : sql`NULL::text`;
  return upsertCanonical(
    trx,
    p,
    'activities',
    sql`
    mapped AS (
      SELECT crm_id AS activity_id, 'meeting' AS kind, ${owner('OwnerId')} AS owner_rep_id,
             -- all-day events have a date-only meaning
             CASE WHEN coalesce(attain_boolean(d->'IsAllDayEvent'), false) THEN NULL
                  ELSE coalesce(attain_timestamptz(d->'StartDateTime'), attain_timestamptz(d->'ActivityDateTime')) END AS occurred_at,
             attain_date(d->'ActivityDate') AS occurred_on,
             NOT coalesce(${outcome} = ANY(${p.mapping.canceledMeetingOutcomes}::text[]), false) AS is_completed,
             NULL::text AS direction,
             ${outcome} AS outcome,
             false AS is_connected,
             coalesce(${outcome} = ANY(${p.mapping.canceledMeetingOutcomes}::text[]), false) AS is_canceled,
             coalesce(attain_boolean(d->'IsChild'), false) AS is_child,
             coalesce(attain_boolean(d->'IsArchived'), false) AS is_archived,
             is_deleted
      FROM (${changed(p, 'Event')}) src)`,
  );
}

function normalizeQuotas(trx: Transaction<DB>, p: Params, all: boolean): Promise<number> {
  return upsertCanonical(
    trx,
    p,
    'quotas',
    sql`
    src AS (${changed(p, 'ForecastingQuota', all)}),
    -- Orgs with several forecast types (revenue, splits…) would double-count: use the main one.
    main_type AS (
      SELECT data->>'ForecastingTypeId' AS type_id FROM crm_records
      WHERE connection_id = ${p.conn} AND object = 'ForecastingQuota' AND NOT is_deleted
      GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
    considered AS (
      SELECT src.crm_id AS quota_id, attain_text(src.d->'QuotaOwnerId') AS rep_id,
             attain_date(src.d->'StartDate') AS period_start, attain_date(period.data->'EndDate') AS period_end,
             attain_numeric(src.d->'QuotaAmount') AS amount, attain_text(src.d->'CurrencyIsoCode') AS currency,
             src.is_deleted
               OR NOT coalesce(attain_boolean(src.d->'IsAmount'), true)
               OR attain_text(src.d->'ProductFamily') IS NOT NULL
               OR src.d->>'ForecastingTypeId' IS DISTINCT FROM (SELECT type_id FROM main_type) AS excluded
      FROM src
      LEFT JOIN crm_records period ON period.connection_id = ${p.conn} AND period.object = 'Period'
                                  AND period.crm_id = src.d->>'PeriodId'),
    rated AS (
      SELECT m.*, CASE WHEN m.currency IS NULL THEN 1 ELSE coalesce(dated.rate, fixed.rate) END AS rate
      FROM considered m
      ${rateJoins(p, 'm.period_start')}),
    -- quotas are kept in the home currency
    mapped AS (
      SELECT 'crm' AS source, quota_id, rep_id, period_start, period_end, round(amount / rate, 2) AS amount,
             NULL::text AS currency, excluded AS is_deleted
      FROM rated
      WHERE rep_id IS NOT NULL AND period_start IS NOT NULL AND period_end >= period_start AND amount / rate IS NOT NULL)`,
  );
}

/**
 * A landed field's value that its cast could not read, per object: the numbers, dates and flags
 * KPIs count with, and (as text) the ids that decide which rep a record counts for.
 */
const TYPED_FIELDS: Record<string, Array<[field: string, cast: string]>> = {
  User: [
    ['IsActive', 'attain_boolean'],
    ['ManagerId', 'attain_text'],
    ['UserType', 'attain_text'],
  ],
  Lead: [
    ['OwnerId', 'attain_text'],
    ['CreatedDate', 'attain_timestamptz'],
    ['ConvertedDate', 'attain_date'],
    ['IsConverted', 'attain_boolean'],
  ],
  Opportunity: [
    ['OwnerId', 'attain_text'],
    ['Name', 'attain_text'],
    ['CreatedDate', 'attain_timestamptz'],
    ['CloseDate', 'attain_date'],
    ['Amount', 'attain_numeric'],
    ['Probability', 'attain_numeric'],
    ['IsClosed', 'attain_boolean'],
    ['IsWon', 'attain_boolean'],
  ],
  OpportunityLineItem: [
    ['OpportunityId', 'attain_text'],
    ['Quantity', 'attain_numeric'],
    ['ListPrice', 'attain_numeric'],
    ['UnitPrice', 'attain_numeric'],
    ['TotalPrice', 'attain_numeric'],
    ['Discount', 'attain_numeric'],
  ],
  Quote: [
    ['OpportunityId', 'attain_text'],
    ['CreatedDate', 'attain_timestamptz'],
    ['Subtotal', 'attain_numeric'],
    ['TotalPrice', 'attain_numeric'],
    ['IsSyncing', 'attain_boolean'],
  ],
  QuoteLineItem: [
    ['QuoteId', 'attain_text'],
    ['Quantity', 'attain_numeric'],
    ['ListPrice', 'attain_numeric'],
    ['UnitPrice', 'attain_numeric'],
    ['TotalPrice', 'attain_numeric'],
  ],
  Task: [
    ['OwnerId', 'attain_text'],
    ['CompletedDateTime', 'attain_timestamptz'],
    ['ActivityDate', 'attain_date'],
    ['IsClosed', 'attain_boolean'],
  ],
  Event: [
    ['OwnerId', 'attain_text'],
    ['StartDateTime', 'attain_timestamptz'],
    ['ActivityDate', 'attain_date'],
    ['IsAllDayEvent', 'attain_boolean'],
    ['IsChild', 'attain_boolean'],
  ],
  ForecastingQuota: [
    ['QuotaOwnerId', 'attain_text'],
    ['StartDate', 'attain_date'],
    ['QuotaAmount', 'attain_numeric'],
    ['IsAmount', 'attain_boolean'],
  ],
};

/** Picklist fields whose values KPIs interpret; a value outside describe's list is reported. */
const PICKLIST_FIELDS: Record<string, string[]> = {
  Opportunity: ['StageName', 'ForecastCategoryName'],
  Lead: ['Status'],
  Quote: ['Status'],
};

/** What is wrong with the records in the range, in record_issues; returns the count per issue code. */
function recordIssues(trx: Transaction<DB>, p: Params): Promise<Record<string, number>> {
  return replaceRecordIssues(trx, p, {
    typed: TYPED_FIELDS,
    picklists: PICKLIST_FIELDS,
    allowedValues: (picklistKeys) => sql`
      SELECT split_part(m.key, ':', 3) AS object, f.key AS field, v.value
      FROM crm_metadata m
      CROSS JOIN LATERAL jsonb_each(m.value->'fields') AS f(key, value)
      CROSS JOIN LATERAL jsonb_array_elements_text(f.value->'picklistValues') AS v(value)
      WHERE m.connection_id = ${p.conn} AND m.key LIKE 'salesforce:describe:%'
        AND jsonb_typeof(f.value->'picklistValues') = 'array'
        AND split_part(m.key, ':', 3) || '.' || f.key = ANY(${picklistKeys}::text[])`,
    unknownValue: "not in the org's picklist",
    more: [
      sql`
      SELECT 'Opportunity'::text, o.opportunity_id, 'CurrencyIsoCode'::text, 'NO_CONVERSION_RATE'::text,
             'no conversion rate for ' || o.currency || ' on ' || coalesce(o.close_date::text, 'an unknown date')
      FROM opportunities o JOIN crm_records r ON r.connection_id = o.connection_id AND r.object = 'Opportunity' AND r.crm_id = o.opportunity_id
      WHERE o.connection_id = ${p.conn} AND r.change_seq > ${p.from} AND r.change_seq <= ${p.to}
        AND o.amount IS NOT NULL AND o.amount_home IS NULL`,
      sql`
      SELECT 'ForecastingQuota', crm_id, 'PeriodId', 'MISSING_PERIOD', 'quota period ' || coalesce(d->>'PeriodId', '(none)') || ' was not found'
      FROM (${changed(p, 'ForecastingQuota')}) src
      WHERE NOT is_deleted AND NOT EXISTS (
        SELECT 1 FROM crm_records period WHERE period.connection_id = ${p.conn} AND period.object = 'Period' AND period.crm_id = src.d->>'PeriodId')`,
    ],
  });
}
