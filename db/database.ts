import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGliteDialect } from './pglite-dialect.ts';
import type { DB } from './schema.ts';

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  /** Where the data lives, safe to print: a URL without its password, or a directory. */
  readonly location: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string. Unset: the embedded PGlite database under `dataDir`. */
  url?: string | undefined;
  /** Directory for the embedded database (default `./.attain`), or `memory://` for a throwaway one. */
  dataDir?: string | undefined;
  /** Maximum pooled PostgreSQL connections (default 10). */
  poolSize?: number | undefined;
}

export const DEFAULT_DATA_DIR = '.attain';

// Both drivers hand values back in the same shapes (see schema.ts): dates stay 'YYYY-MM-DD'
// strings (pg would build a Date at *local* midnight), numeric and int8 become numbers.
const DATE_OID = 1082;
const NUMERIC_OID = 1700;
const INT8_OID = 20;
const toNumber = (value: string) => Number(value);
const identity = (value: string) => value;

const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID) return identity;
    if (oid === NUMERIC_OID || oid === INT8_OID) return toNumber;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10);
  return openPglite(options.dataDir ?? DEFAULT_DATA_DIR);
}

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes });
  // An idle client losing its server (restart, failover) must not crash the process; the pool
  // drops it and the next query opens a fresh connection.
  pool.on('error', () => {});
  // A checked-out client (inside a transaction, between two statements) that loses its server
  // emits 'error' on itself, which would crash the process; its next query fails instead.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'postgres', location: redactUrl(url), close: () => db.destroy() };
}

async function openPglite(dataDir: string): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const location = inMemory ? dataDir : path.resolve(dataDir, 'warehouse');
  if (!inMemory) mkdirSync(location, { recursive: true });
  const pglite = await PGlite.create(inMemory ? undefined : location, {
    parsers: {
      [pgliteTypes.DATE]: identity,
      [pgliteTypes.NUMERIC]: toNumber,
      [pgliteTypes.INT8]: toNumber,
    },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    location,
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable database URL)';
  }
}
