import type { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Environment } from '../src/environment.ts';
import { UsageError } from '../src/errors/usage-error.ts';
import type { ReadinessCheck } from '../src/http.ts';

/**
 * What the long-running processes (`attain worker`, `attain scheduler`) share: the services they
 * need, their readiness checks, and waiting for the signal that stops them.
 */

/** Both need Redis and PostgreSQL: the embedded database serves one process, not a fleet. */
export function requireServices(environment: Environment, command: string): { redisUrl: string } {
  const missing = [
    ...(environment.redisUrl ? [] : ['REDIS_URL']),
    ...(environment.databaseUrl
      ? []
      : ['DATABASE_URL (PostgreSQL; the embedded database serves one process only)']),
  ];
  if (missing.length > 0) throw new UsageError(`attain ${command} needs ${missing.join(' and ')}`);
  return { redisUrl: environment.redisUrl! };
}

/** /readyz: Redis answers PING and PostgreSQL answers a query. */
export function readinessChecks(redis: Redis, db: Kysely<DB>): ReadinessCheck[] {
  return [
    {
      name: 'redis',
      check: async () => {
        await redis.ping();
      },
    },
    {
      name: 'postgres',
      check: async () => {
        await sql`SELECT 1`.execute(db);
      },
    },
  ];
}

/** Resolves with the first SIGTERM or SIGINT. */
export function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handle = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', handle);
      process.off('SIGINT', handle);
      resolve(signal);
    };
    process.on('SIGTERM', handle);
    process.on('SIGINT', handle);
  });
}

/** `--http-port`: overrides the config's port; 0 picks a free one (printed at start). */
export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--http-port: "${value}" is not a port number (0–65535)`);
  return port;
}
