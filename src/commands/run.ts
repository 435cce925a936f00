import type { Command } from 'commander';
import { runPipeline } from '../pipeline.ts';
import { createProgress } from '../progress.ts';
import type { StageRun } from '../stage.ts';
import type { CommandContext } from './context.ts';
import { openStageContext } from './stage-context.ts';

export function registerRun(program: Command, context: CommandContext): void {
  program
    .command('run')
    .description('one pass: extract → normalize → kpis → writeback')
    .option('--connection <id>', 'connection to run (default: the only one)')
    .option('--full', 're-extract every record and recompute every KPI row')
    .option('--as-of <date>', 'KPI as_of date, YYYY-MM-DD (default: today in the org time zone)')
    .action(async (options: { connection?: string; full?: boolean; asOf?: string }) => {
      const { ctx, close } = await openStageContext(context, options.connection);
      const progress = createProgress(!context.output.json && process.stderr.isTTY === true);
      try {
        const run = await runPipeline(ctx, {
          full: options.full === true,
          ...(options.asOf ? { asOf: options.asOf } : {}),
          onStage: (stage) => progress.update(`${stage}…`),
          onPage: (object, totals) =>
            progress.update(`sync ${object}: ${totals.records.toLocaleString('en-US')} records`),
        });
        progress.done();
        const { sync, normalize, kpis, writeback, writebackSkipped } = run.result;
        context.output.result(run, () =>
          [
            `run ${ctx.connection.id}: ${run.status} in ${duration(run)}, ${run.apiCalls} API calls`,
            `  sync       ${sync.status.padEnd(14)} ${duration(sync).padStart(7)}  ` +
              `${(sync.counts.records ?? 0).toLocaleString('en-US')} records read, ${(sync.counts.written ?? 0).toLocaleString('en-US')} changed` +
              (sync.result.objects.some((o) => o.mode === 'backfill') ? ' (backfill)' : ' (incremental)'),
            `  normalize  ${normalize.status.padEnd(14)} ${duration(normalize).padStart(7)}  ` +
              `${Object.values(normalize.result.changed)
                .reduce((a, b) => a + b, 0)
                .toLocaleString('en-US')} canonical rows changed`,
            `  kpis       ${kpis.status.padEnd(14)} ${duration(kpis).padStart(7)}  ` +
              `${kpis.result.mode}, ${(kpis.counts.rowsWritten ?? 0).toLocaleString('en-US')} rows as of ${kpis.result.asOf}`,
            writeback
              ? `  writeback  ${writeback.status.padEnd(14)} ${duration(writeback).padStart(7)}  ` +
                `${writeback.counts.recordsSucceeded ?? 0} records updated in ${writeback.counts.writeCalls ?? 0} calls, ` +
                `${writeback.counts.recordsFailed ?? 0} failed, ${writeback.counts.fieldsUnchanged ?? 0} fields unchanged`
              : `  writeback  skipped: ${writebackSkipped}`,
          ].join('\n'),
        );
        if (run.status === 'partial') process.exitCode = 1;
      } finally {
        progress.done();
        await close();
      }
    });
}

function duration(run: StageRun<unknown>): string {
  return `${((run.finishedAt.getTime() - run.startedAt.getTime()) / 1000).toFixed(1)}s`;
}
