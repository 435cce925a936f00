import { sql, type RawBuilder } from 'kysely';
import { ADDITIVE_COLUMNS, type AdditiveColumn } from './kpi-columns.ts';
import { localDateSql } from './period-sql.ts';
import type { KpiSettings } from './settings.ts';

/**
 * The KPI inputs as "facts": every canonical record counts, at each of its KPI-relevant local
 * dates, towards the additive columns of its owner's calendar month (fiscal periods are whole
 * months, so quarters and years are sums of months). Each source — a table and one of its dates —
 * is counted and summed per rep × month on its own, then the sources are joined.
 *
 * Every fact counts 1 in input_count, so a month with any record or quota row in it gets a row.
 * Deleted (and HubSpot-archived) records are excluded everywhere; archived activities count.
 */

export interface FactParams {
  connectionId: string;
  asOf: string;
  settings: KpiSettings;
}

/**
 * 'all': every record of the connection (full run).
 * 'target-months': only records whose date falls in a (rep, month) of the temp table
 * run_target_months (rep_id, month_start, month_end, from_instant, to_instant), read through the
 * (owner, date) indexes (incremental run).
 */
export type FactScope = 'all' | 'target-months';

interface FactSource {
  table: 'leads' | 'activities' | 'proposals' | 'opportunities' | 'quotas';
  alias: string;
  owner: string;
  /** The column holding the fact's date: a timestamptz (converted to the org time zone) or a date. */
  day: { column: string; kind: 'instant' | 'date' };
  /** Joins to the source's rows (referring to them by the alias). */
  joins?: RawBuilder<unknown>;
  where?: RawBuilder<unknown>;
  /** Each column's aggregate over the source's rows of one rep × month. */
  measures: Partial<Record<AdditiveColumn, RawBuilder<unknown>>>;
}

const COUNT = sql`count(*)`;

function countIf(condition: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`count(*) FILTER (WHERE ${condition})`;
}

function sumIf(condition: RawBuilder<unknown>, value: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`sum(${value}) FILTER (WHERE ${condition})`;
}

/** The first day of the local month of the source's date. */
function monthOf(source: FactSource, params: FactParams): RawBuilder<string> {
  const column = sql.ref(`${source.alias}.${source.day.column}`);
  const local =
    source.day.kind === 'instant'
      ? sql`(${column} AT TIME ZONE ${params.settings.timezone})`
      : sql`${column}::timestamp`;
  return sql<string>`date_trunc('month', ${local})::date`;
}

function referralSql(params: FactParams): RawBuilder<unknown> {
  const { referralSources } = params.settings;
  return referralSources
    ? sql`l.source = ANY(${sql.val(referralSources)}::text[])`
    : sql`position('referral' IN lower(l.source)) > 0`;
}

/**
 * Per opportunity or proposal (`owner`), gross (list × qty) and discount (list × qty − net) of
 * usable lines; `only` narrows the lines read to those owners.
 */
function lineSumsSql(
  owner: 'opportunity_id' | 'proposal_id',
  params: FactParams,
  only: RawBuilder<unknown> | null,
): RawBuilder<unknown> {
  const ownerColumn = sql.ref(`li.${owner}`);
  return sql`
    SELECT ${ownerColumn} AS owner_id, sum(li.list_price * li.quantity) AS gross,
           sum(li.list_price * li.quantity - li.total_price) AS discount
    FROM line_items li
    WHERE li.connection_id = ${params.connectionId} AND ${ownerColumn} IS NOT NULL
      ${owner === 'opportunity_id' ? sql`AND li.proposal_id IS NULL` : sql``}
      ${only ? sql`AND ${ownerColumn} IN (${only})` : sql``}
      AND NOT li.is_deleted AND li.list_price IS NOT NULL AND li.quantity IS NOT NULL AND li.total_price IS NOT NULL
    GROUP BY 1`;
}

/** The CTE of the closed opportunities an incremental run reads by close date (see monthSumsSql). */
const CLOSING_SCOPE = sql`SELECT opportunity_id FROM closing_scope`;

/**
 * Per closed opportunity, the discount basis in home currency as `disc.gross` / `disc.discount`
 * (both NULL ⇒ the opportunity is excluded from the discount KPIs): its own line items; without
 * usable ones, its syncing proposal, else its latest accepted one — that proposal's line items,
 * or its header (subtotal − total_price over subtotal). Aggregated once per run and hash-joined;
 * an incremental run aggregates only the lines and proposals of the opportunities it reads.
 */
function discountJoinsSql(params: FactParams, scope: FactScope): RawBuilder<unknown> {
  const opportunities = scope === 'all' ? null : CLOSING_SCOPE;
  const proposalsOf = opportunities
    ? sql`SELECT p.proposal_id FROM proposals p
          WHERE p.connection_id = ${params.connectionId} AND p.opportunity_id IN (${opportunities})`
    : null;
  return sql`
  LEFT JOIN (${lineSumsSql('opportunity_id', params, opportunities)}) AS opp_lines
    ON o.is_closed AND opp_lines.owner_id = o.opportunity_id
  LEFT JOIN (
    SELECT DISTINCT ON (p.opportunity_id) p.opportunity_id, p.proposal_id, p.subtotal, p.total_price
    FROM proposals p
    WHERE p.connection_id = ${params.connectionId} AND p.opportunity_id IS NOT NULL
      ${opportunities ? sql`AND p.opportunity_id IN (${opportunities})` : sql``}
      AND NOT p.is_deleted AND (p.is_syncing OR p.is_accepted)
    ORDER BY p.opportunity_id, p.is_syncing DESC, p.created_at DESC, p.proposal_id DESC
  ) AS quote ON o.is_closed AND opp_lines.owner_id IS NULL AND quote.opportunity_id = o.opportunity_id
  LEFT JOIN (${lineSumsSql('proposal_id', params, proposalsOf)}) AS quote_lines
    ON quote_lines.owner_id = quote.proposal_id
  CROSS JOIN LATERAL (
    SELECT
      CASE WHEN opp_lines.gross IS NOT NULL THEN opp_lines.gross
           WHEN quote_lines.gross IS NOT NULL THEN quote_lines.gross
           WHEN quote.subtotal IS NOT NULL AND quote.total_price IS NOT NULL THEN quote.subtotal
      END * o.home_rate AS gross,
      CASE WHEN opp_lines.gross IS NOT NULL THEN opp_lines.discount
           WHEN quote_lines.gross IS NOT NULL THEN quote_lines.discount
           WHEN quote.subtotal IS NOT NULL AND quote.total_price IS NOT NULL THEN quote.subtotal - quote.total_price
      END * o.home_rate AS discount
  ) AS disc`;
}

const WON = sql`o.is_closed AND o.is_won`;
const LOST = sql`o.is_closed AND NOT o.is_won`;

/** Days from the local created date to the close date, floored at 0. */
function cycleDaysSql(params: FactParams): RawBuilder<number> {
  return sql<number>`greatest(o.close_date - ${localDateSql(sql`o.created_at`, params.settings.timezone)}, 0)`;
}

function activityMeasures(day: RawBuilder<unknown>, params: FactParams): FactSource['measures'] {
  return {
    calls: countIf(sql`a.kind = 'call' AND a.is_completed`),
    connected_calls: countIf(sql`a.kind = 'call' AND a.is_completed AND a.is_connected`),
    emails: countIf(sql`a.kind = 'email' AND a.direction = 'outbound' AND a.is_completed`),
    meetings: countIf(
      sql`a.kind = 'meeting' AND NOT a.is_canceled AND NOT a.is_child AND ${day} <= ${params.asOf}::date`,
    ),
  };
}

/** Opportunities by close date: outcomes, amounts, cycle, discount and pipeline. */
function closingSource(params: FactParams, scope: FactScope): FactSource {
  const open = sql`NOT o.is_closed AND o.forecast_category IS DISTINCT FROM 'omitted'`;
  return {
    table: 'opportunities',
    alias: 'o',
    owner: 'owner_rep_id',
    day: { column: 'close_date', kind: 'date' },
    joins: discountJoinsSql(params, scope),
    measures: {
      opps_won: countIf(WON),
      opps_lost: countIf(LOST),
      won_amount: sumIf(WON, sql`o.amount_home`),
      lost_amount: sumIf(LOST, sql`o.amount_home`),
      bookings: sumIf(WON, sql`o.amount_home`),
      won_with_amount: countIf(sql`${WON} AND o.amount_home IS NOT NULL`),
      // a deal without a (valid) created date has no cycle
      cycle_days_sum: sumIf(sql`${WON} AND o.created_at IS NOT NULL`, cycleDaysSql(params)),
      cycle_count: countIf(sql`${WON} AND o.created_at IS NOT NULL`),
      // the deals (cycle days) the medians are taken over, as a sum of 64-bit hashes
      cycle_days_fingerprint: sumIf(
        sql`${WON} AND o.created_at IS NOT NULL`,
        sql`hashint4extended(${cycleDaysSql(params)}, 0)`,
      ),
      // disc.gross and disc.discount are NULL together, so numerator and denominator cover the same deals
      discount_gross: sumIf(WON, sql`disc.gross`),
      discount_amount: sumIf(WON, sql`disc.discount`),
      discount_gross_lost: sumIf(LOST, sql`disc.gross`),
      discount_amount_lost: sumIf(LOST, sql`disc.discount`),
      pipeline: sumIf(open, sql`o.amount_home`),
      pipeline_weighted: sumIf(open, sql`o.amount_home * o.probability`),
    },
  };
}

function factSources(params: FactParams, scope: FactScope): FactSource[] {
  const { timezone } = params.settings;
  const asOf = sql`${params.asOf}::date`;
  return [
    {
      table: 'leads',
      alias: 'l',
      owner: 'owner_rep_id',
      day: { column: 'created_at', kind: 'instant' },
      measures: {
        leads_created: COUNT,
        leads_created_converted: countIf(
          sql`l.is_converted AND (l.converted_on IS NULL OR l.converted_on <= ${asOf})`,
        ),
        referrals_received: countIf(sql`coalesce(${referralSql(params)}, false)`),
      },
    },
    {
      table: 'leads',
      alias: 'l',
      owner: 'owner_rep_id',
      day: { column: 'converted_on', kind: 'date' },
      where: sql`l.is_converted`,
      measures: { leads_converted: COUNT },
    },
    {
      table: 'activities',
      alias: 'a',
      owner: 'owner_rep_id',
      day: { column: 'occurred_at', kind: 'instant' },
      measures: activityMeasures(localDateSql(sql`a.occurred_at`, timezone), params),
    },
    {
      table: 'activities',
      alias: 'a',
      owner: 'owner_rep_id',
      day: { column: 'occurred_on', kind: 'date' },
      where: sql`a.occurred_at IS NULL`,
      measures: activityMeasures(sql`a.occurred_on`, params),
    },
    {
      table: 'proposals',
      alias: 'p',
      owner: 'owner_rep_id',
      day: { column: 'created_at', kind: 'instant' },
      measures: {
        proposals_submitted: countIf(sql`p.is_submitted`),
        proposals_accepted: countIf(sql`p.is_submitted AND p.is_accepted`),
      },
    },
    {
      table: 'opportunities',
      alias: 'o',
      owner: 'owner_rep_id',
      day: { column: 'created_at', kind: 'instant' },
      measures: { opps_created: COUNT },
    },
    closingSource(params, scope),
    {
      table: 'quotas',
      alias: 'q',
      owner: 'rep_id',
      day: { column: 'period_start', kind: 'date' },
      measures: {},
    },
  ];
}

/** FROM … WHERE for one source in a scope; the rows are that source's records. */
function fromWhereSql(source: FactSource, scope: FactScope, params: FactParams): RawBuilder<unknown> {
  const table = sql.table(source.table);
  const alias = sql.id(source.alias);
  const column = (name: string) => sql.ref(`${source.alias}.${name}`);
  const dayColumn = column(source.day.column);
  const conditions = [
    sql`${column('connection_id')} = ${params.connectionId}`,
    sql`NOT ${column('is_deleted')}`,
    sql`${dayColumn} IS NOT NULL`,
    ...(source.where ? [source.where] : []),
  ];
  const where = sql.join(conditions, sql` AND `);
  const joins = source.joins ?? sql``;
  if (scope === 'all') return sql`FROM ${table} AS ${alias} ${joins} WHERE ${where}`;
  const inMonth =
    source.day.kind === 'instant'
      ? sql`${dayColumn} >= t.from_instant AND ${dayColumn} < t.to_instant`
      : sql`${dayColumn} BETWEEN t.month_start AND t.month_end`;
  // OFFSET 0 keeps the subquery a per-(rep, month) index range scan whatever the estimates say.
  return sql`FROM run_target_months AS t
    CROSS JOIN LATERAL (
      SELECT ${alias}.* FROM ${table} AS ${alias}
      WHERE ${where} AND ${column(source.owner)} = t.rep_id AND ${inMonth}
      OFFSET 0
    ) AS ${alias}
    ${joins}`;
}

/** One source's month sums: (rep_id, month_start, input_count, <the source's measures>). */
function sourceSumsSql(source: FactSource, scope: FactScope, params: FactParams): RawBuilder<unknown> {
  const names = Object.keys(source.measures) as AdditiveColumn[];
  const sums = [
    sql`count(*) AS input_count`,
    ...names.map((name) => sql`${source.measures[name]} AS ${sql.id(name)}`),
  ];
  return sql`
    SELECT ${sql.ref(`${source.alias}.${source.owner}`)} AS rep_id, ${monthOf(source, params)} AS month_start,
           ${sql.join(sums)}
    ${fromWhereSql(source, scope, params)}
    GROUP BY 1, 2`;
}

/**
 * Month sums: (rep_id, month_start, <additive columns>), one row per rep × month with any fact.
 * Each source is summed on its own (few columns, small hash tables), then the sources are joined
 * on (rep, month); input_count counts every source's facts.
 */
export function monthSumsSql(scope: FactScope, params: FactParams): RawBuilder<unknown> {
  const sources = factSources(params, scope).map((source, index) => ({ source, name: `source_${index}` }));
  const ctes = sources.map(
    ({ source, name }) => sql`${sql.id(name)} AS (${sourceSumsSql(source, scope, params)})`,
  );
  if (scope === 'target-months') {
    // only closed deals have a discount (see discountJoinsSql)
    const closing: FactSource = { ...closingSource(params, scope), joins: sql``, where: sql`o.is_closed` };
    ctes.unshift(
      sql`closing_scope AS MATERIALIZED (SELECT o.opportunity_id ${fromWhereSql(closing, scope, params)})`,
    );
  }
  const keys = sql.join(
    sources.map(({ name }) => sql`SELECT rep_id, month_start FROM ${sql.id(name)}`),
    sql` UNION `,
  );
  const joins = sources.map(
    ({ name }) =>
      sql`LEFT JOIN ${sql.id(name)} ON ${sql.ref(`${name}.rep_id`)} = k.rep_id AND ${sql.ref(`${name}.month_start`)} = k.month_start`,
  );
  const columns = ADDITIVE_COLUMNS.map((column) => {
    const having = sources.filter(({ source }) => column === 'input_count' || column in source.measures);
    const terms = having.map(({ name }) => sql`coalesce(${sql.ref(`${name}.${column}`)}, 0)`);
    return sql`${terms.length > 0 ? sql.join(terms, sql` + `) : sql`0`} AS ${sql.id(column)}`;
  });
  return sql`
    WITH ${sql.join(ctes)}
    SELECT k.rep_id, k.month_start, ${sql.join(columns)}
    FROM (${keys}) AS k
    ${sql.join(joins, sql` `)}`;
}

/** Won opportunities in scope whose close date precedes their local created date (cycle counted as 0). */
export function negativeCycleSql(
  scope: FactScope,
  params: FactParams,
): RawBuilder<{ opportunity_id: string }> {
  const negative: FactSource = {
    ...closingSource(params, scope),
    joins: sql``,
    where: sql`${WON} AND o.close_date < ${localDateSql(sql`o.created_at`, params.settings.timezone)}`,
  };
  return sql`SELECT o.opportunity_id ${fromWhereSql(negative, scope, params)} ORDER BY o.opportunity_id`;
}
