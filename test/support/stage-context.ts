import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { parseConfig, type Config, type ConnectionConfig } from '../../src/config.ts';
import { silentLogger, type Logger } from '../../src/logger.ts';
import { unlimited, type CrmRateLimiter } from '../../src/rate-limit.ts';
import type { StageContext } from '../../src/stage.ts';

/** A validated config with one Salesforce connection (credentials for our emulator) plus overrides. */
export function salesforceTestConfig(
  options: {
    id?: string;
    loginUrl?: string;
    org?: Record<string, unknown>;
    connection?: Record<string, unknown>;
    extra?: Record<string, unknown>;
  } = {},
): Config {
  return parseConfig(
    {
      org: { timezone: 'America/New_York', ...options.org },
      connections: [
        {
          id: options.id ?? 'sf',
          provider: 'salesforce',
          salesforce: {
            flow: 'client_credentials',
            loginUrl: options.loginUrl ?? 'http://127.0.0.1:9',
            clientId: 'attain-test-client',
            clientSecret: 'attain-test-secret',
          },
          ...options.connection,
        },
      ],
      ...options.extra,
    },
    'test config',
    {},
  );
}

export function testStageContext(
  db: Kysely<DB>,
  config: Config,
  options: {
    connection?: ConnectionConfig;
    logger?: Logger;
    signal?: AbortSignal;
    now?: () => Date;
    rateLimiter?: CrmRateLimiter;
  } = {},
): StageContext {
  return {
    db,
    config,
    connection: options.connection ?? config.connections[0]!,
    logger: options.logger ?? silentLogger,
    signal: options.signal ?? new AbortController().signal,
    trigger: 'test',
    parentRunId: null,
    now: options.now ?? (() => new Date()),
    rateLimiter: options.rateLimiter ?? unlimited,
  };
}
