import path from 'node:path';
import type { Command } from 'commander';
import { NEXT_STEPS, runDemo, type RepRecord } from '../demo.ts';
import { UsageError } from '../errors/usage-error.ts';
import { renderLeaderboard } from '../kpi/render-leaderboard.ts';
import { createLogger } from '../logger.ts';
import { createProgress } from '../progress.ts';
import { textTable } from '../text-table.ts';
import type { PlannedWrite } from '../writeback/plan.ts';
import type { CommandContext } from './context.ts';

/** The columns shown from the CRM records KPIs were written to (field names differ per CRM). */
const SHOWN = ['attainment', 'bookings', 'quota', 'pace'] as const;

export function registerDemo(program: Command, context: CommandContext): void {
  program
    .command('demo')
    .description('run attain end to end on an emulated CRM: no CRM, database or config needed')
    .option('--provider <crm>', 'salesforce or hubspot', 'salesforce')
    .option('--scale <reps>', 'sales reps in the emulated org', '12')
    .option('--seed <n>', 'seed of the emulated org', '1')
    .action(async (raw: { provider: string; scale: string; seed: string }) => {
      const scale = Number(raw.scale);
      const seed = Number(raw.seed);
      if (!Number.isInteger(scale) || scale < 1 || scale > 5000)
        throw new UsageError('--scale must be a whole number of reps, 1–5000');
      if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
      if (raw.provider !== 'salesforce' && raw.provider !== 'hubspot')
        throw new UsageError('--provider must be salesforce or hubspot');
      const provider = raw.provider;
      const progress = createProgress(!context.output.json && process.stderr.isTTY === true);
      const controller = new AbortController();
      const stop = () => controller.abort(new Error('interrupted'));
      process.once('SIGINT', stop);
      try {
        const directory = path.resolve(context.environment.dataDir, 'demo', provider);
        const demo = await runDemo({
          provider,
          directory,
          seed,
          scale,
          // The demo shows its own summary; stage logs only for problems (or with LOG_LEVEL).
          logger: process.env.LOG_LEVEL ? context.logger : createLogger({ level: 'warn' }),
          signal: controller.signal,
          onStage: (stage) => progress.update(`${stage}…`),
          onPage: (object, totals) =>
            progress.update(`sync: ${object} ${totals.records.toLocaleString('en-US')} records`),
        });
        progress.done();
        const { run } = demo;
        const writes = run.result.writeback?.result.plan.writes ?? [];
        context.output.result({ ...demo, nextSteps: NEXT_STEPS[provider] }, () =>
          [
            `attain demo: an emulated ${provider === 'salesforce' ? 'Salesforce org' : 'HubSpot portal'} with ${scale} reps (seed ${seed}), warehouse ${demo.warehouse}`,
            demo.incremental
              ? `incremental run: the warehouse already held this org — ${run.result.sync.counts.records ?? 0} records read, ` +
                `${run.apiCalls} API calls, ${demo.seconds.toFixed(1)}s`
              : `first run: backfilled ${(run.result.sync.counts.records ?? 0).toLocaleString('en-US')} records in ` +
                `${demo.seconds.toFixed(1)}s (${run.apiCalls} API calls)`,
            '',
            renderLeaderboard(demo.leaderboard, { locale: 'en-US', currency: 'USD' }),
            '',
            writtenBack(writes, demo.repRecords, run.result.writeback?.counts.writeCalls ?? 0),
            '',
            `Digest-style summary: ${demo.summaryFile}`,
            '',
            NEXT_STEPS[provider],
          ].join('\n'),
        );
      } finally {
        progress.done();
        process.off('SIGINT', stop);
      }
    });
}

function writtenBack(writes: PlannedWrite[], records: RepRecord[], calls: number): string {
  if (writes.length === 0)
    return 'Written back: nothing — every rep’s record already shows these KPIs (0 write calls).';
  const written = new Set(writes.map((write) => write.recordKey));
  const names = new Map(writes.map((write) => [write.recordKey, write.repName ?? write.repId]));
  const rows = records.filter(
    (record) => written.has(record.id) || [...written].some((key) => record.fields.attain_owner_key === key),
  );
  const fields = Object.keys(rows[0]?.fields ?? {});
  const column = (word: string) =>
    fields.find(
      (field) =>
        field.toLowerCase().includes(word) &&
        (word !== 'quota' || !field.toLowerCase().includes('attainment')),
    );
  const columns = SHOWN.flatMap((word) => (column(word) ? [column(word)!] : []));
  return [
    `Written back to ${written.size} reps’ records (${writes.length} fields, ${calls} write call${calls === 1 ? '' : 's'}), as the CRM now holds them:`,
    textTable(rows, [
      { header: 'Rep', value: (row) => names.get(String(row.fields.attain_owner_key ?? row.id)) ?? row.name },
      { header: 'Record', value: (row) => row.id },
      ...columns.map((field) => ({
        header: field,
        value: (row: RepRecord) =>
          row.fields[field] === null || row.fields[field] === undefined ? '—' : String(row.fields[field]),
        align: 'right' as const,
      })),
    ]),
  ].join('\n');
}
