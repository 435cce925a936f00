import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationResult } from 'kysely/migration';
import * as landingAndRuns from './migrations/0001-landing-and-runs.ts';
import * as canonical from './migrations/0002-canonical.ts';
import * as kpisWritebackDigest from './migrations/0003-kpis-writeback-digest.ts';
import * as kpiEngine from './migrations/0004-kpi-engine.ts';
import * as digest from './migrations/0005-digest.ts';
import * as crmMetadata from './migrations/0006-crm-metadata.ts';
import * as safeCasts from './migrations/0007-safe-casts.ts';
import * as kpiKeyOrder from './migrations/0008-kpi-key-order.ts';
import * as medianFingerprint from './migrations/0009-median-fingerprint.ts';
import * as kpiDirtyMonths from './migrations/0010-kpi-dirty-months.ts';

/** Every migration, in order. Names are permanent once released: add new ones, never rename. */
export const migrations: Record<string, Migration> = {
  '0001-landing-and-runs': landingAndRuns,
  '0002-canonical': canonical,
  '0003-kpis-writeback-digest': kpisWritebackDigest,
  '0004-kpi-engine': kpiEngine,
  '0005-digest': digest,
  '0006-crm-metadata': crmMetadata,
  '0007-safe-casts': safeCasts,
  '0008-kpi-key-order': kpiKeyOrder,
  '0009-median-fingerprint': medianFingerprint,
  '0010-kpi-dirty-months': kpiDirtyMonths,
};

export interface MigrateOutcome {
  applied: string[];
  alreadyApplied: number;
}

/** Applies pending migrations; a second call is a no-op. Throws if a migration fails (it is rolled back). */
export async function migrateToLatest<T>(db: Kysely<T>): Promise<MigrateOutcome> {
  const migrator = new Migrator({
    db: db as Kysely<unknown>,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  const applied = results.filter((r: MigrationResult) => r.status === 'Success').map((r) => r.migrationName);
  return { applied, alreadyApplied: Object.keys(migrations).length - applied.length };
}
