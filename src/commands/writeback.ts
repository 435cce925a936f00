import type { Command } from 'commander';
import { UsageError } from '../errors/usage-error.ts';
import { textTable } from '../text-table.ts';
import { writeback } from '../writeback/writeback-stage.ts';
import type { CommandContext } from './context.ts';
import { openStageContext } from './stage-context.ts';

export function registerWriteback(program: Command, context: CommandContext): void {
  program
    .command('writeback')
    .description('write the current KPIs onto the reps’ CRM records (only what changed)')
    .option('--connection <id>', 'connection to write to (default: the only one)')
    .option('--dry-run', 'print the plan (records, fields, old → new) and send nothing')
    .option('--as-of <date>', 'KPIs of this as_of date (default: the latest computed)')
    .action(async (options: { connection?: string; dryRun?: boolean; asOf?: string }) => {
      const { ctx, close } = await openStageContext(context, options.connection);
      try {
        if (!options.dryRun && !ctx.connection.writeback.enabled) {
          throw new UsageError(
            `writeback is disabled for connection ${ctx.connection.id} (writeback.enabled: false); --dry-run still works`,
          );
        }
        const run = await writeback(ctx, {
          dryRun: options.dryRun === true,
          ...(options.asOf ? { asOf: options.asOf } : {}),
        });
        const { plan, applied } = run.result;
        context.output.result(run, () => {
          const lines = [
            `writeback ${ctx.connection.id} (${plan.target.object}, KPIs as of ${plan.asOf}): ` +
              `${plan.writes.length} field${plan.writes.length === 1 ? '' : 's'} to change on ` +
              `${new Set(plan.writes.map((w) => w.recordKey)).size} of ${plan.records} records, ${plan.unchanged} unchanged`,
          ];
          if (plan.writes.length > 0) {
            lines.push(
              textTable(plan.writes, [
                { header: 'rep', value: (w) => w.repName ?? w.repId },
                { header: 'record', value: (w) => w.recordKey },
                { header: 'field', value: (w) => w.field },
                {
                  header: 'old',
                  value: (w) => (w.previous === null ? '(never written)' : w.previous),
                  align: 'right',
                },
                { header: 'new', value: (w) => JSON.stringify(w.next), align: 'right' },
              ]),
            );
          }
          if (applied) {
            lines.push(
              `sent ${applied.recordsSent} records in ${applied.calls} call${applied.calls === 1 ? '' : 's'}: ` +
                `${applied.recordsSucceeded} succeeded, ${applied.recordsFailed} failed`,
              ...applied.failures.map(
                (f) =>
                  `  ✗ ${f.recordKey} (${f.fields.join(', ')}): ${f.code}: ${f.message} — retried next run`,
              ),
            );
          } else {
            lines.push('dry run: nothing sent');
          }
          return lines.join('\n');
        });
        if (run.status === 'partial') process.exitCode = 1;
      } finally {
        await close();
      }
    });
}
