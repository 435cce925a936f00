import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { SalesforceConnectionConfig } from '../../src/config.ts';
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
  await sql`
    INSERT INTO reps (connection_id, rep_id, name)
    SELECT ${p.conn}, 'unassigned', 'Unassigned (queues and unknown owners)'
    WHERE EXISTS (SELECT 1 FROM leads WHERE connection_id = ${p.conn} AND owner_rep_id = 'unassigned')
       OR EXISTS (SELECT 1 FROM opportunities WHERE connection_id = ${p.conn} AND owner_rep_id = 'unassigned')
       OR EXISTS (SELECT 1 FROM activities WHERE connection_id = ${p.conn} AND owner_rep_id = 'unassigned')
    ON CONFLICT DO NOTHING`.execute(trx);
  report.issues = await step('record issues', () => recordIssues(trx, p));
  return report;
}

interface Params {
  conn: string;
  from: number;
  to: number;
  tz: string;
  mapping: SalesforceConnectionConfig['mapping'];
}

/** Landed records of `object` changed in the range (all of them when `all`). */
function changed(p: Params, object: string, all = false): RawBuilder<unknown> {
  return all
    ? sql`SELECT crm_id, is_deleted, data AS d FROM crm_records WHERE connection_id = ${p.conn} AND object = ${object}`
    : sql`SELECT crm_id, is_deleted, data AS d FROM crm_records
          WHERE connection_id = ${p.conn} AND object = ${object} AND change_seq > ${p.from} AND change_seq <= ${p.to}`;
}

/** The rep a Salesforce owner id means: users are reps; queues and blanks are 'unassigned'. */
const owner = (field: string) =>
  sql.raw(
    `CASE WHEN attain_text(d->'${field}') LIKE '005%' THEN attain_text(d->'${field}') ELSE 'unassigned' END`,
  );

const local = (p: Params, column: string) => sql`(${sql.raw(column)} AT TIME ZONE ${p.tz})::date`;

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

async function firstNumber(query: RawBuilder<unknown>, trx: Transaction<DB>): Promise<number> {
  const { rows } = await query.execute(trx);
  return Number(Object.values((rows[0] ?? {}) as Record<string, unknown>)[0] ?? 0);
}

async function anyChanged(trx: Transaction<DB>, p: Params, objects: string[]): Promise<boolean> {
  return (
    (await firstNumber(
      sql`SELECT count(*) FROM crm_records WHERE connection_id = ${p.conn} AND object = ANY(${objects}::text[])
          AND change_seq > ${p.from} AND change_seq <= ${p.to}`,
      trx,
    )) > 0
  );
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

async function normalizeReps(trx: Transaction<DB>, p: Params): Promise<number> {
  return firstNumber(
    sql`
    WITH src AS (${changed(p, 'User')}),
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
      FROM src),
    old AS (SELECT r.* FROM reps r JOIN mapped m ON r.connection_id = ${p.conn} AND r.rep_id = m.rep_id),
    up AS (
      INSERT INTO reps (connection_id, rep_id, name, email, title, manager_id, crm_user_id, is_active, is_deleted)
      SELECT ${p.conn}, rep_id, name, email, title, manager_id, crm_user_id, is_active, is_deleted FROM mapped
      ON CONFLICT (connection_id, rep_id) DO UPDATE SET
        name = excluded.name, email = excluded.email, title = excluded.title, manager_id = excluded.manager_id,
        crm_user_id = excluded.crm_user_id, is_active = excluded.is_active, is_deleted = excluded.is_deleted, updated_at = now()
      WHERE (reps.name, reps.email, reps.title, reps.manager_id, reps.crm_user_id, reps.is_active, reps.is_deleted)
            IS DISTINCT FROM (excluded.name, excluded.email, excluded.title, excluded.manager_id, excluded.crm_user_id, excluded.is_active, excluded.is_deleted)
      RETURNING rep_id, manager_id, is_active, is_deleted),
    tree_changed AS (
      SELECT 1 FROM up LEFT JOIN old o USING (rep_id)
      WHERE o.rep_id IS NULL OR o.manager_id IS DISTINCT FROM up.manager_id
         OR o.is_active IS DISTINCT FROM up.is_active OR o.is_deleted IS DISTINCT FROM up.is_deleted),
    -- the reporting tree changed: every roll-up may move, so the next KPI run is a full one
    flagged AS (UPDATE kpi_state SET full_required = true WHERE connection_id = ${p.conn} AND EXISTS (SELECT 1 FROM tree_changed))
    SELECT count(*) FROM up`,
    trx,
  );
}

async function normalizeLeads(trx: Transaction<DB>, p: Params): Promise<number> {
  return firstNumber(
    sql`
    WITH src AS (${changed(p, 'Lead')}),
    mapped AS (
      SELECT crm_id AS lead_id, ${owner('OwnerId')} AS owner_rep_id,
             attain_timestamptz(d->'CreatedDate') AS created_at,
             coalesce(attain_boolean(d->'IsConverted'), false) AS is_converted,
             attain_date(d->'ConvertedDate') AS converted_on,
             attain_text(d->'LeadSource') AS source, attain_text(d->'Status') AS status,
             is_deleted
      FROM src),
    old AS (SELECT l.* FROM leads l JOIN mapped m ON l.connection_id = ${p.conn} AND l.lead_id = m.lead_id),
    up AS (
      INSERT INTO leads (connection_id, lead_id, owner_rep_id, created_at, is_converted, converted_on, source, status, is_deleted)
      SELECT ${p.conn}, lead_id, owner_rep_id, created_at, is_converted, converted_on, source, status, is_deleted FROM mapped
      ON CONFLICT (connection_id, lead_id) DO UPDATE SET
        owner_rep_id = excluded.owner_rep_id, created_at = excluded.created_at, is_converted = excluded.is_converted,
        converted_on = excluded.converted_on, source = excluded.source, status = excluded.status,
        is_deleted = excluded.is_deleted, updated_at = now()
      WHERE (leads.owner_rep_id, leads.created_at, leads.is_converted, leads.converted_on, leads.source, leads.status, leads.is_deleted)
            IS DISTINCT FROM (excluded.owner_rep_id, excluded.created_at, excluded.is_converted, excluded.converted_on, excluded.source, excluded.status, excluded.is_deleted)
      RETURNING *),
    versions AS (SELECT owner_rep_id, created_at, converted_on FROM up
                 UNION ALL SELECT o.owner_rep_id, o.created_at, o.converted_on FROM old o JOIN up USING (lead_id)),
    dirty AS (
      INSERT INTO kpi_dirty (connection_id, rep_id, day)
      SELECT DISTINCT ${p.conn}, owner_rep_id, day FROM versions,
        LATERAL (VALUES (${local(p, 'created_at')}), (converted_on)) AS days(day)
      WHERE day IS NOT NULL
      ON CONFLICT DO NOTHING)
    SELECT count(*) FROM up`,
    trx,
  );
}

async function normalizeOpportunities(trx: Transaction<DB>, p: Params, all: boolean): Promise<number> {
  return firstNumber(
    sql`
    WITH src AS (${changed(p, 'Opportunity', all)}),
    mapped AS (
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
      FROM mapped m
      ${rateJoins(p, 'm.close_date')}),
    final AS (
      SELECT opportunity_id, owner_rep_id, name, stage, is_closed, is_won, amount, currency,
             round(amount / rate, 2) AS amount_home, 1 / rate AS home_rate,
             CASE WHEN probability_pct BETWEEN 0 AND 100 THEN probability_pct / 100 END AS probability,
             forecast_category, created_at, close_date, lead_source, is_deleted
      FROM rated),
    old AS (SELECT o.* FROM opportunities o JOIN final f ON o.connection_id = ${p.conn} AND o.opportunity_id = f.opportunity_id),
    up AS (
      INSERT INTO opportunities (connection_id, opportunity_id, owner_rep_id, name, stage, is_closed, is_won, amount, currency,
                                 amount_home, home_rate, probability, forecast_category, created_at, close_date, lead_source, is_deleted)
      SELECT ${p.conn}, opportunity_id, owner_rep_id, name, stage, is_closed, is_won, amount, currency,
             amount_home, home_rate, probability, forecast_category, created_at, close_date, lead_source, is_deleted FROM final
      ON CONFLICT (connection_id, opportunity_id) DO UPDATE SET
        owner_rep_id = excluded.owner_rep_id, name = excluded.name, stage = excluded.stage, is_closed = excluded.is_closed,
        is_won = excluded.is_won, amount = excluded.amount, currency = excluded.currency, amount_home = excluded.amount_home,
        home_rate = excluded.home_rate, probability = excluded.probability, forecast_category = excluded.forecast_category,
        created_at = excluded.created_at, close_date = excluded.close_date, lead_source = excluded.lead_source,
        is_deleted = excluded.is_deleted, updated_at = now()
      WHERE (opportunities.owner_rep_id, opportunities.name, opportunities.stage, opportunities.is_closed, opportunities.is_won,
             opportunities.amount, opportunities.currency, opportunities.amount_home, opportunities.home_rate, opportunities.probability,
             opportunities.forecast_category, opportunities.created_at, opportunities.close_date, opportunities.lead_source, opportunities.is_deleted)
            IS DISTINCT FROM
            (excluded.owner_rep_id, excluded.name, excluded.stage, excluded.is_closed, excluded.is_won,
             excluded.amount, excluded.currency, excluded.amount_home, excluded.home_rate, excluded.probability,
             excluded.forecast_category, excluded.created_at, excluded.close_date, excluded.lead_source, excluded.is_deleted)
      RETURNING *),
    versions AS (SELECT owner_rep_id, created_at, close_date FROM up
                 UNION ALL SELECT o.owner_rep_id, o.created_at, o.close_date FROM old o JOIN up USING (opportunity_id)),
    dirty AS (
      INSERT INTO kpi_dirty (connection_id, rep_id, day)
      SELECT DISTINCT ${p.conn}, owner_rep_id, day FROM versions,
        LATERAL (VALUES (${local(p, 'created_at')}), (close_date)) AS days(day)
      WHERE day IS NOT NULL
      ON CONFLICT DO NOTHING)
    SELECT count(*) FROM up`,
    trx,
  );
}

async function normalizeProposals(trx: Transaction<DB>, p: Params): Promise<number> {
  // A quote is credited to its opportunity's owner, so quotes of changed opportunities are redone.
  return firstNumber(
    sql`
    WITH changed_opportunities AS (
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
      FROM src LEFT JOIN opportunities o ON o.connection_id = ${p.conn} AND o.opportunity_id = attain_text(src.d->'OpportunityId')),
    old AS (SELECT q.* FROM proposals q JOIN mapped m ON q.connection_id = ${p.conn} AND q.proposal_id = m.proposal_id),
    up AS (
      INSERT INTO proposals (connection_id, proposal_id, opportunity_id, owner_rep_id, status, is_submitted, is_accepted,
                             is_syncing, created_at, subtotal, total_price, currency, is_deleted)
      SELECT ${p.conn}, proposal_id, opportunity_id, owner_rep_id, status, is_submitted, is_accepted,
             is_syncing, created_at, subtotal, total_price, currency, is_deleted FROM mapped
      ON CONFLICT (connection_id, proposal_id) DO UPDATE SET
        opportunity_id = excluded.opportunity_id, owner_rep_id = excluded.owner_rep_id, status = excluded.status,
        is_submitted = excluded.is_submitted, is_accepted = excluded.is_accepted, is_syncing = excluded.is_syncing,
        created_at = excluded.created_at, subtotal = excluded.subtotal, total_price = excluded.total_price,
        currency = excluded.currency, is_deleted = excluded.is_deleted, updated_at = now()
      WHERE (proposals.opportunity_id, proposals.owner_rep_id, proposals.status, proposals.is_submitted, proposals.is_accepted,
             proposals.is_syncing, proposals.created_at, proposals.subtotal, proposals.total_price, proposals.currency, proposals.is_deleted)
            IS DISTINCT FROM
            (excluded.opportunity_id, excluded.owner_rep_id, excluded.status, excluded.is_submitted, excluded.is_accepted,
             excluded.is_syncing, excluded.created_at, excluded.subtotal, excluded.total_price, excluded.currency, excluded.is_deleted)
      RETURNING *),
    versions AS (SELECT owner_rep_id, created_at, opportunity_id FROM up
                 UNION ALL SELECT o.owner_rep_id, o.created_at, o.opportunity_id FROM old o JOIN up USING (proposal_id)),
    dirty AS (
      INSERT INTO kpi_dirty (connection_id, rep_id, day)
      SELECT ${p.conn}, owner_rep_id, ${local(p, 'created_at')} FROM versions WHERE created_at IS NOT NULL
      UNION
      -- the proposal can supply its opportunity's discount, which counts on the close date
      SELECT ${p.conn}, o.owner_rep_id, o.close_date FROM versions v
      JOIN opportunities o ON o.connection_id = ${p.conn} AND o.opportunity_id = v.opportunity_id
      WHERE o.close_date IS NOT NULL
      ON CONFLICT DO NOTHING)
    SELECT count(*) FROM up`,
    trx,
  );
}

async function normalizeLineItems(
  trx: Transaction<DB>,
  p: Params,
  object: 'OpportunityLineItem' | 'QuoteLineItem',
): Promise<number> {
  const parent = object === 'OpportunityLineItem' ? 'OpportunityId' : 'QuoteId';
  const opportunityOf =
    object === 'OpportunityLineItem'
      ? sql`SELECT v.opportunity_id FROM versions v`
      : sql`SELECT q.opportunity_id FROM versions v JOIN proposals q ON q.connection_id = ${p.conn} AND q.proposal_id = v.proposal_id`;
  return firstNumber(
    sql`
    WITH src AS (${changed(p, object)}),
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
      FROM src WHERE attain_text(d->${parent}) IS NOT NULL),
    up AS (
      INSERT INTO line_items (connection_id, line_item_id, opportunity_id, proposal_id, quantity, list_price, unit_price, total_price, is_deleted)
      SELECT ${p.conn}, line_item_id, opportunity_id, proposal_id, quantity, list_price, unit_price, total_price, is_deleted FROM mapped
      ON CONFLICT (connection_id, line_item_id) DO UPDATE SET
        opportunity_id = excluded.opportunity_id, proposal_id = excluded.proposal_id, quantity = excluded.quantity,
        list_price = excluded.list_price, unit_price = excluded.unit_price, total_price = excluded.total_price,
        is_deleted = excluded.is_deleted, updated_at = now()
      WHERE (line_items.opportunity_id, line_items.proposal_id, line_items.quantity, line_items.list_price,
             line_items.unit_price, line_items.total_price, line_items.is_deleted)
            IS DISTINCT FROM (excluded.opportunity_id, excluded.proposal_id, excluded.quantity, excluded.list_price,
             excluded.unit_price, excluded.total_price, excluded.is_deleted)
      RETURNING *),
    versions AS (SELECT opportunity_id, proposal_id FROM up),
    dirty AS (
      -- line items move their opportunity's discount, which counts on its close date
      INSERT INTO kpi_dirty (connection_id, rep_id, day)
      SELECT DISTINCT ${p.conn}, o.owner_rep_id, o.close_date
      FROM opportunities o
      WHERE o.connection_id = ${p.conn} AND o.close_date IS NOT NULL AND o.opportunity_id IN (${opportunityOf})
      ON CONFLICT DO NOTHING)
    SELECT count(*) FROM up`,
    trx,
  );
}

async function normalizeTasks(trx: Transaction<DB>, p: Params): Promise<number> {
  return upsertActivities(
    trx,
    p,
    sql`
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
      WHERE attain_text(d->'TaskSubtype') IN ('Call', 'Email')`,
  );
}

async function normalizeEvents(trx: Transaction<DB>, p: Params): Promise<number> {
  const outcomeField = p.mapping.meetingOutcomeField;
  const outcome = outcomeField ? sql`attain_text(d->${outcomeField})` : sql`NULL::text`;
  return upsertActivities(
    trx,
    p,
    sql`
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
      FROM (${changed(p, 'Event')}) src`,
  );
}

async function upsertActivities(
  trx: Transaction<DB>,
  p: Params,
  mapped: RawBuilder<unknown>,
): Promise<number> {
  return firstNumber(
    sql`
    WITH mapped AS (${mapped}),
    old AS (SELECT a.* FROM activities a JOIN mapped m ON a.connection_id = ${p.conn} AND a.activity_id = m.activity_id),
    up AS (
      INSERT INTO activities (connection_id, activity_id, kind, owner_rep_id, occurred_at, occurred_on, is_completed,
                              direction, outcome, is_connected, is_canceled, is_child, is_archived, is_deleted)
      SELECT ${p.conn}, activity_id, kind, owner_rep_id, occurred_at, occurred_on, is_completed,
             direction, outcome, is_connected, is_canceled, is_child, is_archived, is_deleted FROM mapped
      ON CONFLICT (connection_id, activity_id) DO UPDATE SET
        kind = excluded.kind, owner_rep_id = excluded.owner_rep_id, occurred_at = excluded.occurred_at,
        occurred_on = excluded.occurred_on, is_completed = excluded.is_completed, direction = excluded.direction,
        outcome = excluded.outcome, is_connected = excluded.is_connected, is_canceled = excluded.is_canceled,
        is_child = excluded.is_child, is_archived = excluded.is_archived, is_deleted = excluded.is_deleted, updated_at = now()
      WHERE (activities.kind, activities.owner_rep_id, activities.occurred_at, activities.occurred_on, activities.is_completed,
             activities.direction, activities.outcome, activities.is_connected, activities.is_canceled, activities.is_child,
             activities.is_archived, activities.is_deleted)
            IS DISTINCT FROM
            (excluded.kind, excluded.owner_rep_id, excluded.occurred_at, excluded.occurred_on, excluded.is_completed,
             excluded.direction, excluded.outcome, excluded.is_connected, excluded.is_canceled, excluded.is_child,
             excluded.is_archived, excluded.is_deleted)
      RETURNING *),
    versions AS (SELECT owner_rep_id, occurred_at, occurred_on FROM up
                 UNION ALL SELECT o.owner_rep_id, o.occurred_at, o.occurred_on FROM old o JOIN up USING (activity_id)),
    dirty AS (
      INSERT INTO kpi_dirty (connection_id, rep_id, day)
      SELECT DISTINCT ${p.conn}, owner_rep_id, coalesce(${local(p, 'occurred_at')}, occurred_on) AS day FROM versions
      WHERE coalesce(${local(p, 'occurred_at')}, occurred_on) IS NOT NULL
      ON CONFLICT DO NOTHING)
    SELECT count(*) FROM up`,
    trx,
  );
}

async function normalizeQuotas(trx: Transaction<DB>, p: Params, all: boolean): Promise<number> {
  return firstNumber(
    sql`
    WITH src AS (${changed(p, 'ForecastingQuota', all)}),
    -- Orgs with several forecast types (revenue, splits…) would double-count: use the main one.
    main_type AS (
      SELECT data->>'ForecastingTypeId' AS type_id FROM crm_records
      WHERE connection_id = ${p.conn} AND object = 'ForecastingQuota' AND NOT is_deleted
      GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1),
    mapped AS (
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
      FROM mapped m
      ${rateJoins(p, 'm.period_start')}),
    usable AS (
      SELECT quota_id, rep_id, period_start, period_end, round(amount / rate, 2) AS amount, excluded FROM rated
      WHERE rep_id IS NOT NULL AND period_start IS NOT NULL AND period_end >= period_start AND amount / rate IS NOT NULL),
    old AS (SELECT q.* FROM quotas q JOIN mapped m ON q.connection_id = ${p.conn} AND q.source = 'crm' AND q.quota_id = m.quota_id),
    up AS (
      INSERT INTO quotas (connection_id, source, quota_id, rep_id, period_start, period_end, amount, currency, is_deleted)
      SELECT ${p.conn}, 'crm', quota_id, rep_id, period_start, period_end, amount, NULL, excluded FROM usable
      ON CONFLICT (connection_id, source, quota_id) DO UPDATE SET
        rep_id = excluded.rep_id, period_start = excluded.period_start, period_end = excluded.period_end,
        amount = excluded.amount, is_deleted = excluded.is_deleted, updated_at = now()
      WHERE (quotas.rep_id, quotas.period_start, quotas.period_end, quotas.amount, quotas.is_deleted)
            IS DISTINCT FROM (excluded.rep_id, excluded.period_start, excluded.period_end, excluded.amount, excluded.is_deleted)
      RETURNING *),
    -- a quota that became unusable (its period vanished, amount unreadable) stops counting
    retired AS (
      UPDATE quotas SET is_deleted = true, updated_at = now()
      WHERE connection_id = ${p.conn} AND source = 'crm' AND NOT is_deleted
        AND quota_id IN (SELECT quota_id FROM mapped EXCEPT SELECT quota_id FROM usable)
      RETURNING *),
    versions AS (SELECT rep_id, period_start FROM up UNION ALL SELECT rep_id, period_start FROM retired
                 UNION ALL SELECT o.rep_id, o.period_start FROM old o JOIN up USING (quota_id)),
    dirty AS (
      INSERT INTO kpi_dirty (connection_id, rep_id, day)
      SELECT DISTINCT ${p.conn}, rep_id, period_start FROM versions
      ON CONFLICT DO NOTHING)
    SELECT (SELECT count(*) FROM up) + (SELECT count(*) FROM retired)`,
    trx,
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

/**
 * Replaces the normalize issues of every record in the range with what is wrong with it now,
 * and returns the count per issue code.
 */
async function recordIssues(trx: Transaction<DB>, p: Params): Promise<Record<string, number>> {
  const objects = Object.keys(TYPED_FIELDS);
  await sql`
    DELETE FROM record_issues i USING crm_records r
    WHERE i.connection_id = ${p.conn} AND i.stage = 'normalize' AND r.connection_id = ${p.conn}
      AND r.object = i.object AND r.crm_id = i.crm_id AND r.change_seq > ${p.from} AND r.change_seq <= ${p.to}`.execute(
    trx,
  );
  // One scan per object. The checks are OR-ed in a WHERE (evaluated once per record, cheaply);
  // only the few records that fail one are expanded into a row per failing field (a LATERAL
  // VALUES list costs a subplan per row, ten times the checks themselves).
  const checks: RawBuilder<unknown>[] = [];
  for (const object of objects) {
    const typed = TYPED_FIELDS[object]!.map(([field, cast]) => ({
      field,
      code: 'BAD_VALUE',
      prefix: `${object}.${field} is not a valid ${cast.replace('attain_', '')}: `,
      bad: sql`attain_is_bad(d->${field}, ${sql.raw(cast)}(d->${field})::text)`,
    }));
    // A picklist value is unknown when describe lists values for the field and not this one.
    const picklists = (PICKLIST_FIELDS[object] ?? []).map((field) => ({
      field,
      code: 'UNKNOWN_PICKLIST_VALUE',
      prefix: `${object}.${field} has a value not in the org's picklist: `,
      bad: sql`(d->>${field} IS NOT NULL
                AND EXISTS (SELECT 1 FROM allowed a WHERE a.object = ${object} AND a.field = ${field})
                AND NOT EXISTS (SELECT 1 FROM allowed a WHERE a.object = ${object} AND a.field = ${field} AND a.value = d->>${field}))`,
    }));
    const all = [...typed, ...picklists];
    checks.push(sql`
      SELECT ${object}::text AS object, bad.crm_id, f.field, f.code, f.prefix || left(bad.d->>f.field, 120) AS message
      FROM (SELECT crm_id, d FROM (${changed(p, object)}) src WHERE ${sql.join(
        all.map((check) => check.bad),
        sql` OR `,
      )}) bad
      CROSS JOIN LATERAL (VALUES ${sql.join(
        all.map(
          (check) => sql`(${check.field}::text, ${check.code}::text, ${check.prefix}::text, ${check.bad})`,
        ),
      )}) AS f(field, code, prefix, failed)
      WHERE f.failed`);
  }
  checks.push(sql`
    SELECT 'Opportunity'::text, o.opportunity_id, 'CurrencyIsoCode'::text, 'NO_CONVERSION_RATE'::text,
           'no conversion rate for ' || o.currency || ' on ' || coalesce(o.close_date::text, 'an unknown date')
    FROM opportunities o JOIN crm_records r ON r.connection_id = o.connection_id AND r.object = 'Opportunity' AND r.crm_id = o.opportunity_id
    WHERE o.connection_id = ${p.conn} AND r.change_seq > ${p.from} AND r.change_seq <= ${p.to}
      AND o.amount IS NOT NULL AND o.amount_home IS NULL`);
  checks.push(sql`
    SELECT 'ForecastingQuota', crm_id, 'PeriodId', 'MISSING_PERIOD', 'quota period ' || coalesce(d->>'PeriodId', '(none)') || ' was not found'
    FROM (${changed(p, 'ForecastingQuota')}) src
    WHERE NOT is_deleted AND NOT EXISTS (
      SELECT 1 FROM crm_records period WHERE period.connection_id = ${p.conn} AND period.object = 'Period' AND period.crm_id = src.d->>'PeriodId')`);
  const picklistKeys = Object.entries(PICKLIST_FIELDS).flatMap(([object, fields]) =>
    fields.map((field) => `${object}.${field}`),
  );
  const { rows } = await sql<{ code: string; n: number }>`
    WITH allowed AS MATERIALIZED (
      SELECT split_part(m.key, ':', 3) AS object, f.key AS field, v.value
      FROM crm_metadata m
      CROSS JOIN LATERAL jsonb_each(m.value->'fields') AS f(key, value)
      CROSS JOIN LATERAL jsonb_array_elements_text(f.value->'picklistValues') AS v(value)
      WHERE m.connection_id = ${p.conn} AND m.key LIKE 'salesforce:describe:%'
        AND jsonb_typeof(f.value->'picklistValues') = 'array'
        AND split_part(m.key, ':', 3) || '.' || f.key = ANY(${picklistKeys}::text[])),
    found AS (${sql.join(checks, sql` UNION ALL `)}),
    saved AS (
      INSERT INTO record_issues (connection_id, stage, object, crm_id, field, code, message)
      SELECT DISTINCT ON (object, crm_id, field, code) ${p.conn}, 'normalize', object, crm_id, field, code, message FROM found
      ON CONFLICT (connection_id, stage, object, crm_id, field, code)
      DO UPDATE SET message = excluded.message, last_seen_at = now()
      RETURNING code)
    SELECT code, count(*)::int AS n FROM saved GROUP BY code`.execute(trx);
  return Object.fromEntries(rows.map((row) => [row.code, row.n]));
}
