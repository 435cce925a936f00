import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { insertKpiDirtySql } from '../kpi/kpi-dirty.ts';
import { firstNumber, localDay, type NormalizeScope } from './normalize-sql.ts';

/**
 * How a connector's mapped rows reach a canonical table, the same for every CRM: upsert only the
 * rows that actually changed, then mark the (rep, org-local day) pairs whose KPIs the old and the
 * new version of each changed row touch (kpi_dirty keeps their months), so the next KPI run
 * recomputes just those. Which days a row touches is a fact of the canonical table, not of the
 * CRM: it lives here.
 */

interface CanonicalTable {
  /** The primary key after connection_id. */
  key: readonly string[];
  /** Every column a connector maps (besides the key); a change in any of them rewrites the row. */
  columns: readonly string[];
  /** CTEs after the upsert; they may read `up`, `old` and the connector's CTEs. */
  after?: (scope: NormalizeScope) => RawBuilder<unknown>;
  /** The columns of a row's old and new version the dirty days come from (`versions`). */
  versions?: readonly string[];
  /**
   * Named groups of columns, each a boolean column of `versions`: true when the row is new or one
   * of the group's columns changed. dirtyDays marks a day only when a KPI counted on it can have
   * moved — a re-priced deal dirties its close date, not the day it was created.
   */
  changed?: Record<string, readonly string[]>;
  /** Rows (from CTEs of `after`) that changed besides `up`, in the shape of `versions`. */
  moreVersions?: RawBuilder<unknown>;
  /** (rep_id, day) pairs the versions touch. */
  dirtyDays?: (scope: NormalizeScope) => RawBuilder<unknown>;
  /** How many rows changed (default: the upserted ones). */
  count?: RawBuilder<unknown>;
}

/** The opportunity owner's close date: where an opportunity's discount (and its parts) counts. */
const closeDatesOf = (scope: NormalizeScope, opportunityIds: RawBuilder<unknown>) => sql`
  SELECT o.owner_rep_id AS rep_id, o.close_date AS day FROM opportunities o
  WHERE o.connection_id = ${scope.conn} AND o.opportunity_id IN (${opportunityIds})`;

const OPPORTUNITY_COLUMNS = [
  'owner_rep_id',
  'name',
  'stage',
  'is_closed',
  'is_won',
  'amount',
  'currency',
  'amount_home',
  'home_rate',
  'probability',
  'forecast_category',
  'created_at',
  'close_date',
  'lead_source',
  'is_deleted',
];
/** Opportunity columns no KPI reads (amounts count in home currency: amount_home, home_rate). */
const NOT_IN_KPIS = ['name', 'stage', 'amount', 'currency', 'lead_source'];

const TABLES = {
  reps: {
    key: ['rep_id'],
    columns: ['name', 'email', 'title', 'manager_id', 'crm_user_id', 'is_active', 'is_deleted'],
    // The reporting tree changed: every roll-up may move, so the next KPI run is a full one.
    after: (scope) => sql`
      tree_changed AS (
        SELECT 1 FROM up LEFT JOIN old o USING (rep_id)
        WHERE o.rep_id IS NULL OR o.manager_id IS DISTINCT FROM up.manager_id
           OR o.is_active IS DISTINCT FROM up.is_active OR o.is_deleted IS DISTINCT FROM up.is_deleted),
      flagged AS (
        UPDATE kpi_state SET full_required = true
        WHERE connection_id = ${scope.conn} AND EXISTS (SELECT 1 FROM tree_changed))`,
  },
  leads: {
    key: ['lead_id'],
    columns: ['owner_rep_id', 'created_at', 'is_converted', 'converted_on', 'source', 'status', 'is_deleted'],
    versions: ['owner_rep_id', 'created_at', 'converted_on'],
    changed: {
      // leads_created, leads_created_converted, referrals_received
      created: ['owner_rep_id', 'created_at', 'is_converted', 'converted_on', 'source', 'is_deleted'],
      // leads_converted
      converted: ['owner_rep_id', 'is_converted', 'converted_on', 'is_deleted'],
    },
    dirtyDays: (scope) => sql`
      SELECT owner_rep_id AS rep_id, ${localDay(scope, sql`created_at`)} AS day FROM versions WHERE created
      UNION ALL SELECT owner_rep_id, converted_on FROM versions WHERE converted`,
  },
  opportunities: {
    key: ['opportunity_id'],
    columns: OPPORTUNITY_COLUMNS,
    versions: ['owner_rep_id', 'created_at', 'close_date'],
    changed: {
      // opps_created
      created: ['owner_rep_id', 'created_at', 'is_deleted'],
      // outcomes, bookings, cycle, discount and pipeline: every column a KPI reads (a column mapped
      // later dirties the close date until it is listed as read by none)
      closing: OPPORTUNITY_COLUMNS.filter((column) => !NOT_IN_KPIS.includes(column)),
    },
    dirtyDays: (scope) => sql`
      SELECT owner_rep_id AS rep_id, ${localDay(scope, sql`created_at`)} AS day FROM versions WHERE created
      UNION ALL SELECT owner_rep_id, close_date FROM versions WHERE closing`,
  },
  proposals: {
    key: ['proposal_id'],
    columns: [
      'opportunity_id',
      'owner_rep_id',
      'status',
      'is_submitted',
      'is_accepted',
      'is_syncing',
      'created_at',
      'subtotal',
      'total_price',
      'currency',
      'is_deleted',
    ],
    versions: ['owner_rep_id', 'created_at', 'opportunity_id'],
    changed: {
      // proposals_submitted, proposals_accepted
      created: ['owner_rep_id', 'created_at', 'is_submitted', 'is_accepted', 'is_deleted'],
      // which proposal gives its opportunity's discount, and that discount
      discount: [
        'opportunity_id',
        'is_syncing',
        'is_accepted',
        'created_at',
        'subtotal',
        'total_price',
        'is_deleted',
      ],
    },
    // a proposal counts on its own day, and can supply its opportunity's discount
    dirtyDays: (scope) => sql`
      SELECT owner_rep_id AS rep_id, ${localDay(scope, sql`created_at`)} AS day FROM versions WHERE created
      UNION ALL ${closeDatesOf(scope, sql`SELECT opportunity_id FROM versions WHERE discount`)}`,
  },
  line_items: {
    key: ['line_item_id'],
    columns: [
      'opportunity_id',
      'proposal_id',
      'quantity',
      'list_price',
      'unit_price',
      'total_price',
      'is_deleted',
    ],
    versions: ['opportunity_id', 'proposal_id'],
    // line items move their opportunity's discount (directly, or through their proposal)
    dirtyDays: (scope) =>
      closeDatesOf(
        scope,
        sql`SELECT opportunity_id FROM versions
            UNION SELECT q.opportunity_id FROM versions v
            JOIN proposals q ON q.connection_id = ${scope.conn} AND q.proposal_id = v.proposal_id`,
      ),
  },
  activities: {
    key: ['activity_id'],
    columns: [
      'kind',
      'owner_rep_id',
      'occurred_at',
      'occurred_on',
      'is_completed',
      'direction',
      'outcome',
      'is_connected',
      'is_canceled',
      'is_child',
      'is_archived',
      'is_deleted',
    ],
    versions: ['owner_rep_id', 'occurred_at', 'occurred_on'],
    dirtyDays: (scope) => sql`
      SELECT owner_rep_id AS rep_id, coalesce(${localDay(scope, sql`occurred_at`)}, occurred_on) AS day FROM versions`,
  },
  quotas: {
    key: ['source', 'quota_id'],
    columns: ['rep_id', 'period_start', 'period_end', 'amount', 'currency', 'is_deleted'],
    // A CRM quota that became unusable (its period or assignee vanished, its amount unreadable)
    // stops counting: the connector lists every quota it looked at in `considered`.
    after: (scope) => sql`
      retired AS (
        UPDATE quotas SET is_deleted = true, updated_at = now()
        WHERE connection_id = ${scope.conn} AND source = 'crm' AND NOT is_deleted
          AND quota_id IN (SELECT quota_id FROM considered EXCEPT SELECT quota_id FROM mapped)
        RETURNING *)`,
    versions: ['rep_id', 'period_start'],
    moreVersions: sql`SELECT rep_id, period_start FROM retired`,
    dirtyDays: () => sql`SELECT rep_id, period_start AS day FROM versions`,
    count: sql`(SELECT count(*) FROM up) + (SELECT count(*) FROM retired)`,
  },
} satisfies Record<string, CanonicalTable>;

export type CanonicalTableName = keyof typeof TABLES;

/**
 * Upserts a connector's mapped rows into `table` and marks what they touch dirty; returns how
 * many rows changed. `mapping` is the connector's CTE list, ending in `mapped`: one row per
 * record, with the table's key and every column (for quotas also `considered`, every quota_id
 * looked at).
 */
export function upsertCanonical(
  trx: Transaction<DB>,
  scope: NormalizeScope,
  table: CanonicalTableName,
  mapping: RawBuilder<unknown>,
): Promise<number> {
  const spec: CanonicalTable = TABLES[table];
  const ids = (names: readonly string[], prefix = '') =>
    sql.raw(names.map((name) => `${prefix}${name}`).join(', '));
  const keyMatch = sql.raw(spec.key.map((k) => `t.${k} = m.${k}`).join(' AND '));
  const assignments = sql.raw(spec.columns.map((c) => `${c} = excluded.${c}`).join(', '));
  const allColumns = [...spec.key, ...spec.columns];
  const ctes: RawBuilder<unknown>[] = [
    mapping,
    sql`old AS (SELECT t.* FROM ${sql.table(table)} t JOIN mapped m ON t.connection_id = ${scope.conn} AND ${keyMatch})`,
    sql`up AS (
      INSERT INTO ${sql.table(table)} (connection_id, ${ids(allColumns)})
      SELECT ${scope.conn}, ${ids(allColumns)} FROM mapped
      ON CONFLICT (connection_id, ${ids(spec.key)}) DO UPDATE SET ${assignments}, updated_at = now()
      WHERE (${ids(spec.columns, `${table}.`)}) IS DISTINCT FROM (${ids(spec.columns, 'excluded.')})
      RETURNING *)`,
  ];
  if (spec.after) ctes.push(spec.after(scope));
  if (spec.versions && spec.dirtyDays) {
    // each changed-group flag is the same for both versions of a row (o.connection_id IS NULL: new)
    const flags = Object.entries(spec.changed ?? {}).map(
      ([name, columns]) =>
        sql`, o.connection_id IS NULL OR (${ids(columns, 'up.')}) IS DISTINCT FROM (${ids(columns, 'o.')}) AS ${sql.id(name)}`,
    );
    ctes.push(sql`versions AS (
      SELECT ${ids(spec.versions, 'up.')} ${sql.join(flags, sql` `)} FROM up LEFT JOIN old o USING (${ids(spec.key)})
      UNION ALL SELECT ${ids(spec.versions, 'o.')} ${sql.join(flags, sql` `)} FROM old o JOIN up USING (${ids(spec.key)})
      ${spec.moreVersions ? sql`UNION ALL ${spec.moreVersions}` : sql``})`);
    ctes.push(sql`dirty AS (${insertKpiDirtySql(scope.conn, spec.dirtyDays(scope))})`);
  }
  return firstNumber(
    sql`WITH ${sql.join(ctes, sql`,\n`)} SELECT ${spec.count ?? sql`count(*) FROM up`}`,
    trx,
  );
}
