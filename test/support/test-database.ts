import { inject } from 'vitest';
import { openDatabase, type Database } from '../../db/database.ts';
import { createDatabaseFrom, databaseUrl, dropDatabase, uniqueName } from './postgres.ts';

export interface TestDatabase extends Database {
  /** Connection string of this file's own database (for child processes). */
  readonly url: string;
  readonly name: string;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh, migrated PostgreSQL database for one test file. Call in beforeAll, drop in afterAll.
 * With `migrated: false` the database is empty (for migration tests).
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = uniqueName('attain_test');
  const template = options.migrated === false ? 'template1' : inject('templateDatabase');
  await createDatabaseFrom(name, template);
  const url = databaseUrl(name);
  const database = await openDatabase({ url, poolSize: 5 });
  return {
    ...database,
    db: database.db,
    url,
    name,
    async drop() {
      await database.close();
      await dropDatabase(name);
    },
  };
}
