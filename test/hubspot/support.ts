import type { Kysely } from 'kysely';
import { CRM_CATALOG } from '../../connectors/hubspot/catalog.ts';
import type { HubSpotEmulator } from '../../connectors/hubspot/emulator/emulator.ts';
import type { DB } from '../../db/schema.ts';
import { parseConfig, type Config } from '../../src/config.ts';

/** Sync settings that keep tests fast against an emulator whose limits are raised to match. */
export const FAST_SYNC = {
  lagSeconds: 0,
  lookbackSeconds: 5,
  delayedPassLagSeconds: 0,
  requestsPer10s: 1000,
  searchPerSecond: 200,
  retryDelayMs: 10,
  archivedCheckMinutes: 0,
};

/** Emulator limits that never get in a test's way (rate-limit tests lower them). */
export const FAST_PORTAL = { requestsPer10s: 100_000, searchPerSecond: 10_000 };

/** The connection config for `emulator` (id 'hs'), with overrides. */
export function hubspotConnection(
  emulator: HubSpotEmulator,
  options: {
    id?: string;
    sync?: Record<string, unknown>;
    mapping?: Record<string, unknown>;
    writeback?: Record<string, unknown>;
  } = {},
): Record<string, unknown> {
  return {
    id: options.id ?? 'hs',
    provider: 'hubspot',
    hubspot: { accessToken: emulator.credentials.accessToken, basePath: emulator.url },
    sync: { ...FAST_SYNC, ...options.sync },
    ...(options.mapping ? { mapping: options.mapping } : {}),
    writeback: { enabled: false, ...options.writeback },
  };
}

/** A validated config with one HubSpot connection to `emulator` (org time zone New York). */
export function hubspotConfig(
  emulator: HubSpotEmulator,
  options: Parameters<typeof hubspotConnection>[1] & { org?: Record<string, unknown> } = {},
): Config {
  return parseConfig(
    {
      org: { timezone: 'America/New_York', ...options.org },
      connections: [hubspotConnection(emulator, options)],
    },
    'test config',
    {},
  );
}

interface TruthRecord {
  id: string;
  properties: Record<string, string | null>;
  archived: boolean;
  associations: Record<string, string[]>;
}

/**
 * Every difference between what the warehouse landed and the emulator's ground truth, for every
 * CRM object attain extracts and every catalog property. Archived records must be landed as
 * deleted (or not at all, when never seen live); landed records the portal no longer has must be
 * deleted. Empty means equal.
 */
export async function differencesFromGroundTruth(
  db: Kysely<DB>,
  emulator: HubSpotEmulator,
  connectionId: string,
): Promise<string[]> {
  const truth = emulator.store.groundTruth() as Record<string, TruthRecord[]>;
  const differences: string[] = [];
  for (const entry of CRM_CATALOG) {
    const landed = await db
      .selectFrom('crm_records')
      .select(['crm_id', 'is_deleted', 'data'])
      .where('connection_id', '=', connectionId)
      .where('object', '=', entry.name)
      .execute();
    const byId = new Map(landed.map((row) => [row.crm_id, row]));
    for (const record of truth[entry.name] ?? []) {
      const row = byId.get(record.id);
      byId.delete(record.id);
      if (!row) {
        if (!record.archived) differences.push(`${entry.name} ${record.id}: missing`);
        continue;
      }
      if (row.is_deleted !== record.archived)
        differences.push(
          `${entry.name} ${record.id}: is_deleted ${row.is_deleted}, portal says archived ${record.archived}`,
        );
      if (record.archived) continue;
      for (const property of entry.properties) {
        const expected = record.properties[property] ?? null;
        const actual = (row.data as Record<string, unknown>)[property] ?? null;
        if (expected !== actual)
          differences.push(
            `${entry.name} ${record.id}.${property}: expected ${JSON.stringify(expected)}, landed ${JSON.stringify(actual)}`,
          );
      }
      for (const type of entry.associations) {
        const expected = record.associations[type] ?? [];
        const actual =
          ((row.data as { associations?: Record<string, string[]> }).associations ?? {})[type] ?? [];
        if (JSON.stringify(expected) !== JSON.stringify(actual))
          differences.push(
            `${entry.name} ${record.id} → ${type}: expected ${expected.join(',')}, landed ${actual.join(',')}`,
          );
      }
    }
    for (const [id, row] of byId)
      if (!row.is_deleted)
        differences.push(`${entry.name} ${id}: gone from the portal but live in the warehouse`);
  }
  return differences;
}
