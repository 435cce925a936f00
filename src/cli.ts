#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { AttainError } from './errors/attain-error.ts';
import { registerDigest } from './commands/digest.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerEmulator } from './commands/emulator.ts';
import { registerKpis } from './commands/kpis.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerQuotas } from './commands/quotas.ts';
import { registerRun } from './commands/run.ts';
import { registerScheduler } from './commands/scheduler.ts';
import { registerSync } from './commands/sync.ts';
import { registerWorker } from './commands/worker.ts';
import { registerWriteback } from './commands/writeback.ts';
import { createCommandContext, type GlobalOptions } from './commands/context.ts';
import { packageVersion } from './package-info.ts';
import { redactString } from './secrets.ts';

/** Exit codes (a contract scripts rely on): 0 ok, 1 failure, 2 bad usage or configuration. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('attain')
    .description('Sales-performance KPIs from your CRM, in your warehouse and back on your reps’ records.')
    .version(packageVersion, '-V, --version')
    .option('-c, --config <file>', 'config file (default: $ATTAIN_CONFIG or ./attain.config.yaml)')
    .option('--json', 'machine-readable output on stdout')
    .showHelpAfterError()
    .exitOverride();
  const context = createCommandContext(() => program.opts<GlobalOptions>());
  // Fail fast: a broken config stops every command before it touches anything.
  program.hook('preAction', () => {
    context.config();
  });
  registerMigrate(program, context);
  registerEmulator(program, context);
  registerRun(program, context);
  registerSync(program, context);
  registerKpis(program, context);
  registerQuotas(program, context);
  registerDoctor(program, context);
  registerDemo(program, context);
  registerWriteback(program, context);
  registerDigest(program, context);
  registerWorker(program, context);
  registerScheduler(program, context);

  try {
    await program.parseAsync(argv);
    // A command that finished with problems (a partial run) sets process.exitCode itself.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version end here too, with exit code 0.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof AttainError) {
    process.stderr.write(`attain: ${redactString(error.message)}\n`);
    return error.exitCode;
  }
  if (isNetworkError(error)) {
    // A service that is down (PostgreSQL, Redis, the CRM) is an operational failure, not a bug.
    process.stderr.write(`attain: ${redactString(error.message)}: is the service at that address up?\n`);
    return 1;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`attain: unexpected error: ${redactString(message)}\n`);
  return 1;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

function isNetworkError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && NETWORK_CODES.has((error as NodeJS.ErrnoException).code ?? '');
}

const exitCode = await main(process.argv);
process.exitCode = exitCode;
