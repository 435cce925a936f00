import type { Command } from 'commander';
import { connectorFor } from '../../connectors/registry.ts';
import type { DoctorCheck } from '../../connectors/types.ts';
import { UsageError } from '../errors/usage-error.ts';
import type { StageContext } from '../stage.ts';
import { writebackFieldProblems, writebackMappings } from '../writeback/plan.ts';
import type { CommandContext } from './context.ts';
import { openStageContext } from './stage-context.ts';

const MARK: Record<DoctorCheck['status'], string> = { ok: '✓', warn: '!', fail: '✗' };

export function registerDoctor(program: Command, context: CommandContext): void {
  program
    .command('doctor')
    .description('check connectivity, objects, fields, permissions and API budget (reads only, unless --fix)')
    .option('--connection <id>', 'connection to check (default: the only one)')
    .option(
      '--fix',
      'create the CRM fields and objects writeback needs, where the connector can (idempotent)',
    )
    .action(async (options: { connection?: string; fix?: boolean }) => {
      const { ctx, database, close } = await openStageContext(context, options.connection);
      try {
        const connector = connectorFor(ctx.connection.provider);
        if (options.fix && !connector.setUp)
          throw new UsageError(
            `--fix is not available for ${ctx.connection.provider}: deploy its fields as the README says`,
          );
        const checks: DoctorCheck[] = [
          {
            name: 'warehouse',
            status: 'ok',
            detail: `${database.kind} at ${database.location}, migrations applied`,
          },
          ...(await connector.diagnose(ctx)),
        ];
        const authorized = checks.every((check) => check.name !== 'auth' || check.status === 'ok');
        if (options.fix && connector.setUp && authorized) checks.push(...(await connector.setUp(ctx)));
        if (ctx.connection.writeback.enabled && authorized) {
          checks.push(...(await writebackChecks(ctx)));
        }
        const failed = checks.filter((check) => check.status === 'fail').length;
        const warned = checks.filter((check) => check.status === 'warn').length;
        context.output.result({ connection: ctx.connection.id, ok: failed === 0, checks }, () =>
          [
            `doctor ${ctx.connection.id} (${ctx.connection.provider}):`,
            ...checks.map((check) => `  ${MARK[check.status]} ${check.name}: ${check.detail}`),
            failed === 0
              ? `all good${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}`
              : `${failed} problem${failed === 1 ? '' : 's'} to fix`,
          ].join('\n'),
        );
        if (failed > 0) process.exitCode = 1;
      } finally {
        await close();
      }
    });
}

/** Each mapped writeback field exists and the integration user may update it. */
async function writebackChecks(ctx: StageContext): Promise<DoctorCheck[]> {
  const connector = connectorFor(ctx.connection.provider);
  const session = await connector.open(ctx);
  try {
    const mappings = writebackMappings(ctx, connector);
    const target = await session.writebackTarget(mappings.map((mapping) => mapping.field));
    const problems = writebackFieldProblems(ctx, target, mappings);
    if (problems.length === 0) {
      return [
        {
          name: 'writeback',
          status: 'ok',
          detail: `${mappings.length} ${target.object} fields exist and are updateable`,
        },
      ];
    }
    return problems.map((problem) => ({
      name: 'writeback field',
      status: 'fail',
      detail: `${problem.path}: ${problem.message}`,
    }));
  } finally {
    await session.close();
  }
}
