import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { renderDigestPreview } from '../digest/preview.ts';
import { defaultScheduleName, findSchedule } from '../digest/schedules.ts';
import { sendDigests, type DigestOutcome } from '../digest/send-digests.ts';
import { AttainError } from '../errors/attain-error.ts';
import { UsageError } from '../errors/usage-error.ts';
import type { StageContext } from '../stage.ts';
import type { CommandContext } from './context.ts';
import { openStageContext } from './stage-context.ts';

interface DigestOptions {
  connection?: string;
  schedule?: string;
  manager: string[];
  preview?: string;
  send?: boolean;
}

/**
 * `attain digest`: without --send, renders the digests (of the schedule, or of every manager when
 * no schedule is configured) and prints their text part; --preview FILE writes the HTML to FILE,
 * all digests stacked in one page. With --send, sends the schedule's current slot through the
 * digest stage (send-once per slot: running it twice sends nothing the second time).
 */
export function registerDigest(program: Command, context: CommandContext): void {
  program
    .command('digest')
    .description('render the manager KPI digests (--preview FILE writes the HTML) or send them (--send)')
    .option('--connection <id>', 'connection (default: the only one)')
    .option('--schedule <name>', 'digest schedule (default: the only one configured)')
    .option(
      '--manager <id|email>',
      'only this manager’s digest (repeatable; "org" for the org digest)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--preview <file>', 'write the HTML email to FILE (several digests: one page with all of them)')
    .option('--send', 'send the schedule’s current slot by email / Slack (at most once per slot)')
    .action(async (options: DigestOptions) => {
      const { ctx, close } = await openStageContext(context, options.connection);
      try {
        if (options.send) await send(context, ctx, options);
        else await render(context, ctx, options);
      } finally {
        await close();
      }
    });
}

async function send(context: CommandContext, ctx: StageContext, options: DigestOptions): Promise<void> {
  if (options.preview !== undefined)
    throw new UsageError('--preview renders without sending: drop --send or --preview');
  const schedule = defaultScheduleName(ctx.config, options.schedule);
  if (schedule === null) {
    throw new UsageError(
      '--send needs a schedule: configure digests.schedules (see the README) or pass --schedule',
    );
  }
  const run = await sendDigests(ctx, { schedule, slot: ctx.now(), send: true, managers: options.manager });
  const { outcomes } = run.result;
  context.output.result({ runId: run.runId, status: run.status, ...run.result }, () =>
    [
      `digest ${schedule} · slot ${run.result.slot.toISOString()} · KPIs as of ${run.result.asOf}: ${run.status}`,
      ...outcomes.map(describeOutcome),
    ].join('\n'),
  );
  if (run.status !== 'succeeded') {
    throw new AttainError(`some digests were not sent (run ${run.runId}); a later --send retries them`);
  }
}

function describeOutcome(outcome: DigestOutcome): string {
  const where = outcome.destination ? ` → ${outcome.destination}` : '';
  const why = outcome.error ? `: ${outcome.error}` : '';
  return `  ${outcome.status.padEnd(12)} ${outcome.channel.padEnd(5)} ${outcome.name}${where}${why}`;
}

async function render(context: CommandContext, ctx: StageContext, options: DigestOptions): Promise<void> {
  const scheduleName = defaultScheduleName(ctx.config, options.schedule);
  const schedule = scheduleName === null ? null : findSchedule(ctx.config, scheduleName, ctx.connection);
  const preview = await renderDigestPreview(ctx, { schedule, only: options.manager });
  if (options.preview !== undefined) writeFileSync(options.preview, preview.html);
  const file = options.preview === undefined ? null : path.resolve(options.preview);
  context.output.result(
    {
      asOf: preview.asOf,
      schedule: preview.slot,
      preview: file,
      digests: preview.digests.map(({ text: _text, ...digest }) => digest),
      skipped: preview.skipped,
    },
    () =>
      [
        ...(file
          ? [
              `wrote ${preview.digests.length} digest(s) to ${file}`,
              ...preview.digests.map((digest) => `  ${digest.subject}`),
            ]
          : preview.digests.map((digest) => `Subject: ${digest.subject}\n\n${digest.text}`)),
        ...preview.skipped.map((line) => `skipped ${line}`),
      ].join('\n'),
  );
  if (preview.digests.length === 0) throw new AttainError('no digest to render');
}
