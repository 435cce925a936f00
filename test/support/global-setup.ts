import type { TestProject } from 'vitest/node';
import { migrateToLatest } from '../../db/migrate.ts';
import { openDatabase } from '../../db/database.ts';
import { databaseUrl, dropDatabase, uniqueName, withAdmin } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/**
 * Once per test run: a migrated template database. Each integration file clones it (CREATE
 * DATABASE … TEMPLATE), which takes milliseconds, instead of migrating its own from scratch.
 * Databases left behind by runs that were killed are dropped here (their names carry a dead pid).
 */
export default async function setup(project: TestProject) {
  await dropAbandonedDatabases();
  const template = uniqueName('attain_tpl');
  await withAdmin((client) => client.query(`CREATE DATABASE "${template}"`));
  const database = await openDatabase({ url: databaseUrl(template), poolSize: 1 });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
  project.provide('templateDatabase', template);
  return async () => {
    await dropDatabase(template);
  };
}

async function dropAbandonedDatabases(): Promise<void> {
  const { rows } = await withAdmin((client) =>
    client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname ~ '^attain_(tpl|test)_[0-9]+_'`,
    ),
  );
  for (const { datname } of rows) {
    const pid = Number(datname.split('_')[2]);
    if (!isAlive(pid)) await dropDatabase(datname);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
