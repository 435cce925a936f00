import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DB, KpiScope } from '../../db/schema.ts';
import { computeKpiRows } from '../../src/kpi/compute-kpi-rows.ts';
import { addDays, localDate, periodContaining, PERIOD_TYPES } from '../../src/kpi/fiscal-calendar.ts';
import { markKpiDirty, requireFullKpiRecompute, type KpiDirtyMark } from '../../src/kpi/kpi-dirty.ts';
import { kpiSettingsSchema, type KpiSettings } from '../../src/kpi/settings.ts';
import { upsertCanonical } from '../../src/normalize/canonical-upsert.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { kpiValues, rowsByKey, sameValue } from './kpi-rows.ts';

/**
 * Random syncs against a random org: after each, an incremental run (from the dirty marks a
 * normalize would write) must give exactly the rows a full recompute gives, and rewrite only the
 * rows those marks lead to.
 */

const CONNECTION = 'random';
const AS_OF = '2026-08-15';
const settings: KpiSettings = {
  ...kpiSettingsSchema.parse({}),
  timezone: 'America/New_York',
  fiscalYearStartMonth: 4,
  fiscalYearNaming: 'start',
};

/** mulberry32: a small deterministic PRNG, so a failure reproduces. */
function random(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  return {
    next,
    int,
    pick: <T>(items: readonly T[]) => items[int(items.length)]!,
    chance: (p: number) => next() < p,
    /** An instant in 2025-01 … 2026-12 (some near midnight, to exercise the time zone). */
    instant: () => new Date(Date.UTC(2025, 0, 1) + int(730) * 86_400_000 + int(24) * 3_600_000),
    day: () => addDays('2025-01-01', int(730)),
  };
}

const REPS = ['vp', 'm1', 'm2', 'a', 'b', 'c', 'd', 'e', 'f', 'unassigned'];
const MANAGER: Record<string, string | null> = {
  vp: null,
  m1: 'vp',
  m2: 'vp',
  a: 'm1',
  b: 'm1',
  c: 'm1',
  d: 'm2',
  e: 'm2',
  f: 'vp',
  unassigned: null,
};
const OWNERS = REPS.filter((rep) => rep !== 'vp');

type Row = Record<string, unknown>;
interface Table {
  name: 'leads' | 'activities' | 'opportunities' | 'proposals' | 'line_items' | 'quotas';
  id: string;
  rows: Row[];
}

const local = (value: unknown) => (value instanceof Date ? localDate(value, settings.timezone) : null);

describe('incremental KPI runs equal full recomputes', () => {
  let database: TestDatabase;
  let db: Kysely<DB>;
  const rand = random(20260815);
  const tables: Record<Table['name'], Table> = {
    leads: { name: 'leads', id: 'lead_id', rows: [] },
    activities: { name: 'activities', id: 'activity_id', rows: [] },
    opportunities: { name: 'opportunities', id: 'opportunity_id', rows: [] },
    proposals: { name: 'proposals', id: 'proposal_id', rows: [] },
    line_items: { name: 'line_items', id: 'line_item_id', rows: [] },
    quotas: { name: 'quotas', id: 'quota_id', rows: [] },
  };
  let runId = 0;
  const compute = (full: boolean) =>
    computeKpiRows(db, {
      connectionId: CONNECTION,
      asOf: AS_OF,
      settings,
      full,
      runId: ++runId,
      now: new Date(),
    });

  const opportunity = (id: unknown) => tables.opportunities.rows.find((row) => row.opportunity_id === id);
  const proposal = (id: unknown) => tables.proposals.rows.find((row) => row.proposal_id === id);

  /** What normalize marks for a version of a row: its owner × its KPI-relevant local days. */
  function marksOf(table: Table['name'], row: Row): KpiDirtyMark[] {
    const owner = String(row.owner_rep_id ?? row.rep_id);
    const days = (repId: string, ...values: unknown[]) =>
      values.filter((day): day is string => typeof day === 'string').map((day) => ({ repId, day }));
    const closing = (opp: Row | undefined) => (opp ? days(String(opp.owner_rep_id), opp.close_date) : []);
    switch (table) {
      case 'leads':
        return days(owner, local(row.created_at), row.converted_on);
      case 'activities':
        return days(owner, local(row.occurred_at) ?? row.occurred_on);
      case 'opportunities':
        return days(owner, local(row.created_at), row.close_date);
      // a proposal also feeds its opportunity's discount
      case 'proposals':
        return [...days(owner, local(row.created_at)), ...closing(opportunity(row.opportunity_id))];
      // a line feeds the discount of its opportunity and of its proposal's opportunity
      case 'line_items':
        return [
          ...closing(opportunity(row.opportunity_id)),
          ...closing(opportunity(proposal(row.proposal_id)?.opportunity_id)),
        ];
      case 'quotas':
        return days(owner, row.period_start);
    }
  }

  function newRow(table: Table['name'], n: number): Row {
    const owner = rand.pick(OWNERS);
    switch (table) {
      case 'leads': {
        const converted = rand.chance(0.4);
        return {
          lead_id: `L${n}`,
          owner_rep_id: owner,
          created_at: rand.instant(),
          is_converted: converted,
          converted_on: converted ? rand.day() : null,
          source: rand.pick(['Web', 'Partner Referral', null, 'referral day']),
          is_deleted: rand.chance(0.05),
        };
      }
      case 'activities': {
        const withInstant = rand.chance(0.85);
        return {
          activity_id: `A${n}`,
          kind: rand.pick(['call', 'email', 'meeting'] as const),
          owner_rep_id: owner,
          occurred_at: withInstant ? rand.instant() : null,
          occurred_on: withInstant ? null : rand.day(),
          is_completed: rand.chance(0.8),
          direction: rand.pick(['outbound', 'inbound'] as const),
          is_connected: rand.chance(0.4),
          is_canceled: rand.chance(0.1),
          is_child: rand.chance(0.1),
          is_archived: rand.chance(0.1),
          is_deleted: rand.chance(0.05),
        };
      }
      case 'opportunities': {
        const closed = rand.chance(0.7);
        const rate = rand.pick([1, 1.1, 1.25]);
        const amount = rand.chance(0.1) ? null : 1000 + rand.int(50) * 500;
        return {
          opportunity_id: `O${n}`,
          owner_rep_id: owner,
          is_closed: closed,
          is_won: closed && rand.chance(0.5),
          amount,
          currency: 'USD',
          home_rate: rate,
          amount_home: amount === null ? null : amount * rate,
          probability: rand.int(11) / 10,
          forecast_category: rand.pick(['pipeline', 'commit', 'omitted', null]),
          created_at: rand.instant(),
          close_date: rand.day(),
          is_deleted: rand.chance(0.05),
        };
      }
      case 'proposals':
        return {
          proposal_id: `P${n}`,
          opportunity_id: rand.pick(tables.opportunities.rows).opportunity_id,
          owner_rep_id: owner,
          is_submitted: rand.chance(0.8),
          is_accepted: rand.chance(0.4),
          is_syncing: rand.chance(0.3),
          created_at: rand.instant(),
          subtotal: 1000 + rand.int(20) * 100,
          total_price: 900 + rand.int(10) * 10,
          is_deleted: rand.chance(0.05),
        };
      case 'line_items': {
        const onProposal = rand.chance(0.3);
        return {
          line_item_id: `LI${n}`,
          opportunity_id: onProposal ? null : rand.pick(tables.opportunities.rows).opportunity_id,
          proposal_id: onProposal ? rand.pick(tables.proposals.rows).proposal_id : null,
          quantity: 1 + rand.int(3),
          list_price: rand.chance(0.1) ? null : 100 * (1 + rand.int(10)),
          total_price: 80 * (1 + rand.int(10)),
          is_deleted: rand.chance(0.05),
        };
      }
      case 'quotas': {
        const type = rand.pick(PERIOD_TYPES);
        const period = periodContaining(rand.day(), type, settings);
        return {
          source: rand.pick(['crm', 'file'] as const),
          quota_id: `Q${n}`,
          rep_id: owner,
          period_start: period.start,
          period_end: period.end,
          amount: 1000 * (1 + rand.int(20)),
          is_deleted: rand.chance(0.05),
        };
      }
    }
  }

  /** A random edit of one field (or the deletion flag) — what a sync brings. */
  function edit(table: Table['name'], row: Row): Row {
    const changed = { ...row };
    const fresh = newRow(table, 0);
    const fields = Object.keys(row).filter((field) => field !== tables[table].id);
    const field = rand.pick(fields);
    changed[field] = field === 'is_deleted' ? !row.is_deleted : fresh[field];
    if (table === 'opportunities' && field === 'amount') {
      changed.amount_home = changed.amount === null ? null : Number(changed.amount) * Number(row.home_rate);
    }
    if (table === 'quotas' && field === 'period_start') changed.period_end = fresh.period_end;
    if (table === 'quotas' && field === 'period_end') changed.period_end = row.period_end;
    // a line belongs to an opportunity or a proposal (or, ambiguously, both)
    if (table === 'line_items' && changed.opportunity_id == null && changed.proposal_id == null)
      changed[field] = row[field];
    return changed;
  }

  async function insert(table: Table['name'], rows: Row[]) {
    await db
      .insertInto(table)
      .values(rows.map((row) => ({ ...row, connection_id: CONNECTION })) as never)
      .execute();
  }

  /** Writes a row as normalize does: through the canonical upsert, which marks what it moves. */
  async function upsertAsNormalize(table: Table['name'], row: Row): Promise<void> {
    const scope = { conn: CONNECTION, from: 0, to: 0, tz: settings.timezone };
    const mapped = sql`mapped AS (SELECT * FROM jsonb_populate_record(NULL::${sql.table(table)}, ${JSON.stringify(row)}::jsonb))`;
    const mapping = table === 'quotas' ? sql`${mapped}, considered AS (SELECT quota_id FROM mapped)` : mapped;
    await db.transaction().execute((trx) => upsertCanonical(trx, scope, table, mapping));
  }

  /**
   * One sync: edits and inserts across every table. 'test-marks' writes the rows and marks every
   * day any version of them counts on (a superset of what normalize marks); 'normalize' writes them
   * through normalize's canonical upsert, which marks only the days whose KPIs can have moved.
   * Returns the superset either way, which bounds what the run may rewrite.
   */
  async function sync(edits: number, via: 'test-marks' | 'normalize'): Promise<KpiDirtyMark[]> {
    const marks: KpiDirtyMark[] = [];
    for (let i = 0; i < edits; i++) {
      const table = rand.pick(Object.keys(tables) as Table['name'][]);
      const { id, rows } = tables[table];
      const inserting = rand.chance(0.2);
      const index = inserting ? rows.length : rand.int(rows.length);
      const before = rows[index];
      if (before) marks.push(...marksOf(table, before));
      const after = before ? edit(table, before) : newRow(table, 10_000 + runId * 1000 + i);
      rows[index] = after;
      marks.push(...marksOf(table, after));
      if (via === 'normalize') {
        await upsertAsNormalize(table, after);
      } else if (!before) {
        await insert(table, [after]);
      } else {
        const { [id]: key, ...values } = after;
        await db
          .updateTable(table)
          .set(values as never)
          .where('connection_id', '=', CONNECTION)
          .where(id as never, '=', key as never)
          .execute();
      }
    }
    if (via === 'test-marks') await markKpiDirty(db, CONNECTION, marks);
    return marks;
  }

  /** The rows an incremental run may rewrite for these marks (see compute-kpi-rows.ts). */
  function rewritable(marks: KpiDirtyMark[]): Set<string> {
    const repKeys = new Set<string>();
    const year = periodContaining(AS_OF, 'year', settings);
    for (const { repId, day } of marks) {
      const month = `${day.slice(0, 7)}-01`;
      for (const type of PERIOD_TYPES)
        repKeys.add(`${repId} ${type} ${periodContaining(month, type, settings).start}`);
      if (month >= year.start && month <= year.end) {
        for (const type of ['month', 'quarter'] as const) {
          repKeys.add(`${repId} ${type} ${periodContaining(AS_OF, type, settings).start}`);
        }
      }
    }
    const keys = new Set<string>();
    for (const repKey of repKeys) {
      const [repId, ...period] = repKey.split(' ');
      const add = (scope: KpiScope, id: string) => keys.add([scope, id, ...period].join(' '));
      add('rep', repId!);
      add('org', '*');
      for (let manager = MANAGER[repId!] ?? null; manager; manager = MANAGER[manager] ?? null)
        add('team', manager);
    }
    return keys;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = database.db;
    await db
      .insertInto('reps')
      .values(
        REPS.map((rep) => ({
          connection_id: CONNECTION,
          rep_id: rep,
          name: rep,
          manager_id: MANAGER[rep] ?? null,
          is_active: rep !== 'e',
        })),
      )
      .execute();
    const sizes = {
      opportunities: 120,
      leads: 150,
      activities: 250,
      proposals: 60,
      line_items: 120,
      quotas: 60,
    };
    for (const [table, size] of Object.entries(sizes) as Array<[Table['name'], number]>) {
      const rows = Array.from({ length: size }, (_, n) => newRow(table, n));
      tables[table].rows = rows;
      await insert(table, rows);
    }
  });
  afterAll(async () => {
    await database.drop();
  });

  it('starts from a full computation', async () => {
    const outcome = await compute(false);
    expect(outcome.mode).toBe('full');
    expect(outcome.rowsWritten.total).toBeGreaterThan(300);
  });

  /** One sync, then an incremental run checked against the marks and a full recompute. */
  async function syncAndCheck(via: 'test-marks' | 'normalize'): Promise<void> {
    const before = await rowsByKey(db, CONNECTION, AS_OF);
    const marks = await sync(25, via);
    const incremental = await compute(false);
    expect(incremental.mode).toBe('incremental');
    const after = await rowsByKey(db, CONNECTION, AS_OF);

    const allowed = rewritable(marks);
    for (const [key, row] of after) {
      if (row.run_id === runId) expect(allowed.has(key), `${key} rewritten`).toBe(true);
      else expect(row.run_id, key).toBe(before.get(key)?.run_id);
    }
    for (const key of before.keys()) {
      if (!after.has(key)) expect(allowed.has(key), `${key} removed`).toBe(true);
    }

    await compute(true);
    const full = await rowsByKey(db, CONNECTION, AS_OF);
    expect([...after.keys()].sort()).toEqual([...full.keys()].sort());
    const differences: string[] = [];
    for (const [key, row] of full) {
      const other = kpiValues(after.get(key)!);
      for (const [column, value] of Object.entries(kpiValues(row))) {
        if (!sameValue(value, other[column]))
          differences.push(`${key} ${column}: ${String(other[column])} ≠ ${String(value)}`);
      }
    }
    expect(differences).toEqual([]);
  }

  it.each([1, 2, 3, 4])('sync %i: rewrites only what the marks lead to, and matches a full recompute', () =>
    syncAndCheck('test-marks'),
  );

  it.each([5, 6, 7, 8, 9, 10])(
    "sync %i through normalize's canonical upsert: its marks alone give the full recompute's rows",
    () => syncAndCheck('normalize'),
  );

  it('recomputes everything when normalize reports a reporting-tree change', async () => {
    await db.updateTable('reps').set({ manager_id: 'm2' }).where('rep_id', '=', 'c').execute();
    MANAGER.c = 'm2';
    await requireFullKpiRecompute(db, CONNECTION);
    const outcome = await compute(false);
    expect(outcome).toMatchObject({ mode: 'full', reason: 'reporting tree or rep set changed' });
    const rows = await rowsByKey(db, CONNECTION, AS_OF);
    // c now counts in m2's team, not m1's: in every period, a team sums the rep rows of its members
    for (const row of rows.values()) {
      if (row.scope !== 'team' || row.rep_id === 'vp') continue;
      const members = row.rep_id === 'm1' ? ['a', 'b'] : ['c', 'd', 'e'];
      const memberRows = members.filter((rep) =>
        rows.has(`rep ${rep} ${row.period_type} ${row.period_start}`),
      );
      expect(row.rep_rows, `${row.rep_id} ${row.period_type} ${row.period_start}`).toBe(memberRows.length);
    }
    const again = await compute(false);
    expect(again.mode).toBe('incremental');
  });

  it('treats reps whose managers loop back to them as having no manager', async () => {
    // m1 reports to a, who reports to m1
    await db.updateTable('reps').set({ manager_id: 'a' }).where('rep_id', '=', 'm1').execute();
    await requireFullKpiRecompute(db, CONNECTION);
    expect((await compute(false)).mode).toBe('full');
    const rows = await rowsByKey(db, CONNECTION, AS_OF);
    const teams = [...rows.values()].filter((row) => row.scope === 'team');
    expect(new Set(teams.map((row) => row.rep_id))).toEqual(new Set(['m1', 'm2', 'vp']));
    for (const row of teams) {
      const members = { m1: ['b'], m2: ['c', 'd', 'e'], vp: ['m2', 'c', 'd', 'e', 'f'] }[row.rep_id]!;
      const memberRows = members.filter((rep) =>
        rows.has(`rep ${rep} ${row.period_type} ${row.period_start}`),
      );
      expect(row.rep_rows, `${row.rep_id} ${row.period_type} ${row.period_start}`).toBe(memberRows.length);
    }
  });
});
