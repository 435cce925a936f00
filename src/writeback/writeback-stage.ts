import { connectorFor } from '../../connectors/registry.ts';
import { AttainError } from '../errors/attain-error.ts';
import { ConfigError } from '../errors/config-error.ts';
import { runStage, type StageContext, type StageReport, type StageRun } from '../stage.ts';
import { applyWriteback, type ApplyOutcome } from './apply.ts';
import { planWriteback, type WritebackPlan } from './plan.ts';

export interface WritebackInput {
  /** Plan only: print what would change, send nothing. */
  dryRun?: boolean;
  /** KPIs of this as_of (default: the latest computed for the connection). */
  asOf?: string;
}

export interface WritebackResult {
  plan: WritebackPlan;
  /** Null on a dry run. */
  applied: ApplyOutcome | null;
}

/**
 * The writeback stage: plan → diff → batch → apply → record. Nothing changed ⇒ no write call.
 * A mapped field the CRM lacks or will not let us update stops the stage before anything is sent.
 */
export function writeback(ctx: StageContext, input: WritebackInput = {}): Promise<StageRun<WritebackResult>> {
  return latestAsOf(ctx, input.asOf).then((asOf) =>
    runStage(ctx, 'writeback', { asOf }, async (runId): Promise<StageReport<WritebackResult>> => {
      const connector = connectorFor(ctx.connection.provider);
      const session = await connector.open(ctx);
      try {
        const plan = await planWriteback(ctx, connector, session, asOf);
        if (plan.problems.length > 0)
          throw new ConfigError(`writeback of connection ${ctx.connection.id}`, plan.problems);
        if (input.dryRun) {
          return {
            result: { plan, applied: null },
            counts: { planned: plan.writes.length, unchanged: plan.unchanged },
            report: { dryRun: true },
          };
        }
        const applied = await applyWriteback(ctx, connector, session, plan, runId);
        return {
          result: { plan, applied },
          status: applied.recordsFailed > 0 ? 'partial' : 'succeeded',
          apiCalls: session.apiCalls(),
          counts: {
            fieldsChanged: plan.writes.length,
            fieldsUnchanged: plan.unchanged,
            writeCalls: applied.calls,
            recordsSent: applied.recordsSent,
            recordsSucceeded: applied.recordsSucceeded,
            recordsFailed: applied.recordsFailed,
          },
          report: { failures: applied.failures },
        };
      } finally {
        await session.close();
      }
    }),
  );
}

async function latestAsOf(ctx: StageContext, asOf: string | undefined): Promise<string> {
  if (asOf) return asOf;
  const state = await ctx.db
    .selectFrom('kpi_state')
    .select('as_of')
    .where('connection_id', '=', ctx.connection.id)
    .executeTakeFirst();
  if (!state)
    throw new AttainError(
      `no KPIs computed yet for connection ${ctx.connection.id}: run \`attain kpis\` (or \`attain run\`) first`,
    );
  return state.as_of;
}
