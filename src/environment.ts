/** Process-level settings that come from the environment only (12-factor), never from the config file. */
export interface Environment {
  /** PostgreSQL warehouse; unset means the embedded PGlite database in `dataDir`. */
  databaseUrl: string | undefined;
  /** Redis for the worker and scheduler. */
  redisUrl: string | undefined;
  /** Where the embedded database and demo output live (default ./.attain). */
  dataDir: string;
}

export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    dataDir: env.ATTAIN_DATA_DIR || '.attain',
  };
}
