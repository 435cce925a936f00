import type { Command } from 'commander';
import { migrateToLatest } from '../../db/migrate.ts';
import type { CommandContext } from './context.ts';

export function registerMigrate(program: Command, context: CommandContext): void {
  program
    .command('migrate')
    .description('apply warehouse migrations (a no-op when up to date)')
    .action(async () => {
      const database = await context.openDatabase();
      try {
        const outcome = await migrateToLatest(database.db);
        context.output.result({ database: database.location, kind: database.kind, ...outcome }, () =>
          outcome.applied.length === 0
            ? `warehouse ${database.location} is up to date (${outcome.alreadyApplied} migrations)`
            : `applied ${outcome.applied.length} migration(s) to ${database.location}:\n` +
              outcome.applied.map((name) => `  + ${name}`).join('\n'),
        );
      } finally {
        await database.close();
      }
    });
}
