import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../errors/usage-error.ts';
import { importQuotaFile } from '../kpi/quota-import.ts';
import type { CommandContext } from './context.ts';
import { openStageContext } from './stage-context.ts';

export function registerQuotas(program: Command, context: CommandContext): void {
  const quotas = program.command('quotas').description('quotas maintained outside the CRM');
  quotas
    .command('import')
    .description(
      'replace the connection’s file quotas with a CSV (columns rep, period_start, amount[, period_type]); ' +
        'nothing is written if any line is bad',
    )
    .argument('<file>', 'CSV file with a header row')
    .option('--connection <id>', 'connection the quotas belong to (default: the only one)')
    .action(async (file: string, options: { connection?: string }) => {
      const text = readText(file);
      const { ctx, close } = await openStageContext(context, options.connection);
      try {
        const outcome = await importQuotaFile(ctx.db, {
          connectionId: ctx.connection.id,
          file,
          text,
          calendar: ctx.config.org,
          currency: ctx.config.org.currency,
        });
        context.output.result(
          { connection: ctx.connection.id, file, ...outcome },
          () =>
            `quotas ${ctx.connection.id} from ${file}: ${outcome.rows} rows — ${outcome.inserted} new, ` +
            `${outcome.updated} changed, ${outcome.unchanged} unchanged, ${outcome.deleted} removed` +
            (outcome.inserted + outcome.updated + outcome.deleted > 0
              ? '; the next `attain kpis` picks them up'
              : ''),
        );
      } finally {
        await close();
      }
    });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new UsageError(`cannot read quota file ${file}: ${reason}`);
  }
}
