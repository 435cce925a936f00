import { sql } from 'kysely';
import type {
  Connector,
  ConnectorSession,
  WireValue,
  WritebackFieldMapping,
  WritebackTarget,
} from '../../connectors/types.ts';
import type { PeriodType } from '../../db/schema.ts';
import type { ConfigIssue } from '../errors/config-error.ts';
import type { StageContext } from '../stage.ts';

/** One field of one CRM record whose desired value differs from the last value written to it. */
export interface PlannedWrite {
  repId: string;
  repName: string | null;
  recordKey: string;
  field: string;
  metric: string;
  period: PeriodType;
  /** The last value written successfully (JSON), or null when never written. */
  previous: string | null;
  next: WireValue;
}

export interface WritebackPlan {
  asOf: string;
  target: WritebackTarget;
  writes: PlannedWrite[];
  /** Records (reps) considered, and fields that already hold their desired value. */
  records: number;
  unchanged: number;
  /** Mapped fields the CRM lacks or will not let us update: nothing is sent while any exist. */
  problems: ConfigIssue[];
}

interface KpiRow {
  rep_id: string;
  name: string | null;
  crm_user_id: string | null;
  period_type: PeriodType;
  [metric: string]: unknown;
}

export function writebackMappings(ctx: StageContext, connector: Connector): readonly WritebackFieldMapping[] {
  return ctx.connection.writeback.fields ?? connector.defaultWritebackFields;
}

/**
 * Desired values come from rep_period_kpis (scope 'rep', the periods containing as_of), formatted
 * as the target fields store them, and are diffed against writeback_state — the last value
 * written *successfully* per record and field. Only differences are planned.
 */
export async function planWriteback(
  ctx: StageContext,
  connector: Connector,
  session: ConnectorSession,
  asOf: string,
): Promise<WritebackPlan> {
  const mappings = writebackMappings(ctx, connector);
  const target = await session.writebackTarget(mappings.map((mapping) => mapping.field));
  const problems = writebackFieldProblems(ctx, target, mappings);

  const { rows } = await sql<KpiRow>`
    SELECT r.rep_id, r.name, r.crm_user_id, k.*
    FROM rep_period_kpis k
    JOIN reps r ON r.connection_id = k.connection_id AND r.rep_id = k.rep_id
    WHERE k.connection_id = ${ctx.connection.id} AND k.scope = 'rep' AND k.as_of = ${asOf}
      AND k.period_start <= ${asOf} AND k.period_end >= ${asOf}
      AND r.is_active AND NOT r.is_deleted
    ORDER BY r.rep_id, k.period_type`.execute(ctx.db);
  const reps = new Map<string, { rep: KpiRow; periods: Map<PeriodType, KpiRow> }>();
  for (const row of rows) {
    const entry = reps.get(row.rep_id) ?? { rep: row, periods: new Map() };
    entry.periods.set(row.period_type, row);
    reps.set(row.rep_id, entry);
  }

  const previous = await ctx.db
    .selectFrom('writeback_state')
    .select(['record_id', 'field', 'value'])
    .where('connection_id', '=', ctx.connection.id)
    .where('target_object', '=', target.object)
    .execute();
  const written = new Map(previous.map((row) => [`${row.record_id}\u0000${row.field}`, row.value]));

  const writes: PlannedWrite[] = [];
  let records = 0;
  let unchanged = 0;
  for (const { rep, periods } of reps.values()) {
    const recordKey = connector.writebackRecordKey({ repId: rep.rep_id, crmUserId: rep.crm_user_id });
    if (!recordKey) continue;
    records += 1;
    for (const mapping of mappings) {
      const field = target.fields[mapping.field];
      if (!field?.exists || !field.updateable) continue;
      const row = periods.get(mapping.period);
      const raw =
        mapping.metric === 'as_of'
          ? asOf
          : ((row?.[mapping.metric] as number | string | null | undefined) ?? null);
      const next = connector.toWireValue(mapping.metric, raw, field);
      const last = written.get(`${recordKey}\u0000${mapping.field}`);
      if (last !== undefined && last === JSON.stringify(next)) {
        unchanged += 1;
        continue;
      }
      writes.push({
        repId: rep.rep_id,
        repName: rep.name,
        recordKey,
        field: mapping.field,
        metric: mapping.metric,
        period: mapping.period,
        previous: last ?? null,
        next,
      });
    }
  }
  return { asOf, target, writes, records, unchanged, problems };
}

/** Mapped fields the CRM lacks or will not let the integration user update, each with its config path. */
export function writebackFieldProblems(
  ctx: StageContext,
  target: WritebackTarget,
  mappings: readonly WritebackFieldMapping[],
): ConfigIssue[] {
  const index = ctx.config.connections.indexOf(ctx.connection);
  const configured = ctx.connection.writeback.fields !== undefined;
  return mappings.flatMap((mapping, i) => {
    const field = target.fields[mapping.field];
    const path = configured
      ? `connections[${index}].writeback.fields[${i}].field`
      : `connections[${index}].writeback`;
    const name = `${target.object}.${mapping.field}`;
    if (!field?.exists)
      return [{ path, message: `field ${name} does not exist (deploy attain's CRM fields, see the README)` }];
    if (!field.updateable)
      return [
        {
          path,
          message: `field ${name} is not updateable by the integration user (check field-level security)`,
        },
      ];
    return [];
  });
}
