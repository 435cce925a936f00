import type { Command } from 'commander';
import { syncConnection } from '../extract/sync-stage.ts';
import { normalizeConnection } from '../normalize/normalize-stage.ts';
import { createProgress } from '../progress.ts';
import { textTable } from '../text-table.ts';
import type { CommandContext } from './context.ts';
import { openStageContext } from './stage-context.ts';

export function registerSync(program: Command, context: CommandContext): void {
  program
    .command('sync')
    .description(
      'extract the CRM into the warehouse, then normalize it (incremental; --full re-reads everything)',
    )
    .option('--connection <id>', 'connection to sync (default: the only one)')
    .option('--full', 're-extract every record and re-read the CRM schema')
    .option('--objects <names>', 'comma-separated CRM objects to sync (default: all)')
    .action(async (options: { connection?: string; full?: boolean; objects?: string }) => {
      const { ctx, close } = await openStageContext(context, options.connection);
      const progress = createProgress(!context.output.json && process.stderr.isTTY === true);
      try {
        const sync = await syncConnection(ctx, {
          full: options.full === true,
          ...(options.objects ? { objects: options.objects.split(',').map((name) => name.trim()) } : {}),
          onPage: (object, totals) =>
            progress.update(`syncing ${object}: ${totals.records.toLocaleString('en-US')} records`),
        });
        progress.done();
        const normalize = await normalizeConnection(ctx);
        context.output.result({ sync, normalize }, () =>
          [
            `sync ${ctx.connection.id}: ${sync.status} in ${seconds(sync.startedAt, sync.finishedAt)}, ${sync.apiCalls} API calls`,
            textTable(sync.result.objects, [
              { header: 'object', value: (o) => o.object },
              { header: 'mode', value: (o) => o.mode },
              { header: 'records', value: (o) => o.records },
              { header: 'changed', value: (o) => o.written },
              { header: 'deleted', value: (o) => o.deleted },
              { header: 'error', value: (o) => o.error ?? '' },
            ]),
            ...sync.result.skipped.map((skip) => `  skipped ${skip.object}: ${skip.reason}`),
            ...((sync.report.notes as string[] | undefined) ?? []).map((note) => `  note: ${note}`),
            ...(sync.result.stoppedBy === 'budget'
              ? ['  stopped at the API budget; state is saved and the next run continues from here']
              : []),
            `normalize: ${describeCounts(normalize.result.changed, 'canonical rows changed')}` +
              (Object.keys(normalize.result.issues).length > 0
                ? `; record issues: ${describeCounts(normalize.result.issues, '')} (see record_issues)`
                : ''),
          ].join('\n'),
        );
        if (sync.status === 'partial') process.exitCode = 1;
      } finally {
        progress.done();
        await close();
      }
    });
}

function seconds(from: Date, to: Date): string {
  return `${((to.getTime() - from.getTime()) / 1000).toFixed(1)}s`;
}

function describeCounts(counts: Record<string, number>, suffix: string): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return suffix ? `no ${suffix}` : 'none';
  const parts = Object.entries(counts).map(([key, value]) => `${key} ${value.toLocaleString('en-US')}`);
  return `${total.toLocaleString('en-US')}${suffix ? ` ${suffix}` : ''} (${parts.join(', ')})`;
}
