import type { ConnectionConfig, LoadedConfig } from '../config.ts';
import { UsageError } from '../errors/usage-error.ts';
import type { Database } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { unlimited } from '../rate-limit.ts';
import type { StageContext } from '../stage.ts';
import type { CommandContext } from './context.ts';

/**
 * The connection a command works on: the one named by --connection, or the only one configured.
 */
export function resolveConnection(loaded: LoadedConfig, id: string | undefined): ConnectionConfig {
  const { connections } = loaded.config;
  if (id !== undefined) {
    const found = connections.find((connection) => connection.id === id);
    if (!found) {
      const known = connections.map((connection) => connection.id).join(', ') || 'none';
      throw new UsageError(`no connection "${id}" in the config (configured: ${known})`);
    }
    return found;
  }
  if (connections.length === 1) return connections[0]!;
  if (connections.length === 0) {
    throw new UsageError(
      `no connections configured${loaded.file ? ` in ${loaded.file}` : ''}: add one under "connections" ` +
        '(see attain.config.example.yaml) or pass --config',
    );
  }
  throw new UsageError(
    `several connections configured (${connections.map((c) => c.id).join(', ')}): choose one with --connection`,
  );
}

/**
 * Opens the warehouse (applying any pending migration, so a first run needs no separate
 * `attain migrate`) and builds the StageContext a command runs stages with. SIGINT/SIGTERM abort
 * the context's signal so a stage stops at its next safe point. Call `close()` when done.
 */
export async function openStageContext(
  command: CommandContext,
  connectionId: string | undefined,
): Promise<{ ctx: StageContext; database: Database; close(): Promise<void> }> {
  const loaded = command.config();
  const connection = resolveConnection(loaded, connectionId);
  const database = await command.openDatabase();
  await migrateToLatest(database.db);
  const controller = new AbortController();
  const abort = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  const ctx: StageContext = {
    db: database.db,
    config: loaded.config,
    connection,
    logger: command.logger,
    signal: controller.signal,
    trigger: 'cli',
    parentRunId: null,
    now: () => new Date(),
    // One inline process: the CRM's own limits and the connectors' back-off are enough.
    rateLimiter: unlimited,
  };
  return {
    ctx,
    database,
    async close() {
      process.off('SIGINT', abort);
      process.off('SIGTERM', abort);
      await database.close();
    },
  };
}
