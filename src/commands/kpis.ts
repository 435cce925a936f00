import type { Command } from 'commander';
import type { PeriodType } from '../../db/schema.ts';
import { UsageError } from '../errors/usage-error.ts';
import { computeKpis } from '../kpi/compute-kpis.ts';
import { isIsoDate, PERIOD_TYPES } from '../kpi/fiscal-calendar.ts';
import { loadLeaderboard } from '../kpi/leaderboard.ts';
import { renderLeaderboard } from '../kpi/render-leaderboard.ts';
import type { CommandContext } from './context.ts';
import { openStageContext } from './stage-context.ts';

interface KpisOptions {
  connection?: string;
  asOf?: string;
  period: string;
  full?: boolean;
}

export function registerKpis(program: Command, context: CommandContext): void {
  program
    .command('kpis')
    .description(
      'compute KPIs (only what changed, when possible) and print the leaderboard of the current period',
    )
    .option('--connection <id>', 'connection to compute (default: the only one)')
    .option('--as-of <date>', 'as_of date, YYYY-MM-DD (default: today in the org time zone)')
    .option('--period <type>', 'leaderboard period: quarter, month or year', 'quarter')
    .option('--full', 'recompute every row even if an incremental run would do')
    .action(async (options: KpisOptions) => {
      if (options.asOf !== undefined && !isIsoDate(options.asOf)) {
        throw new UsageError(`--as-of "${options.asOf}" is not a date written YYYY-MM-DD`);
      }
      if (!(PERIOD_TYPES as readonly string[]).includes(options.period)) {
        throw new UsageError(`--period "${options.period}" is not one of ${PERIOD_TYPES.join(', ')}`);
      }
      const { ctx, close } = await openStageContext(context, options.connection);
      try {
        const run = await computeKpis(ctx, {
          full: options.full === true,
          ...(options.asOf ? { asOf: options.asOf } : {}),
        });
        const outcome = run.result;
        const board = await loadLeaderboard(ctx.db, {
          connectionId: ctx.connection.id,
          asOf: outcome.asOf,
          periodType: options.period as PeriodType,
          calendar: ctx.config.org,
        });
        context.output.result({ run: { id: run.runId, status: run.status, ...outcome }, ...board }, () =>
          [
            `kpis ${ctx.connection.id} as of ${outcome.asOf}: ${outcome.mode} (${outcome.reason}), ` +
              `${outcome.rowsWritten.total} rows written (${outcome.rowsWritten.rep} rep, ${outcome.rowsWritten.team} team, ` +
              `${outcome.rowsWritten.org} org)` +
              (outcome.rowsUnchanged > 0 ? `, ${outcome.rowsUnchanged} recomputed unchanged` : '') +
              `, ${outcome.rowsPruned} old rows pruned`,
            ...(outcome.closedPeriodChanges.count > 0
              ? [
                  `${outcome.closedPeriodChanges.count} value(s) changed in closed periods (see the run report)`,
                ]
              : []),
            ...(outcome.negativeCycles.count > 0
              ? [
                  `${outcome.negativeCycles.count} won deal(s) closed before they were created: cycle counted as 0`,
                ]
              : []),
            '',
            renderLeaderboard(board, ctx.config.org),
          ].join('\n'),
        );
      } finally {
        await close();
      }
    });
}
