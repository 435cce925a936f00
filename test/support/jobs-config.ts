import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/emulator.ts';

export interface TestConnection {
  emulator: SalesforceEmulator;
  /** Merged into the connection's `sync` settings. */
  sync?: Record<string, unknown>;
  /** Other connection keys (writeback, rateLimit…). */
  options?: Record<string, unknown>;
}

/**
 * Writes an attain.config.yaml for worker/scheduler processes: one Salesforce connection per
 * entry (its client secret comes from the environment, as in production) plus the given
 * sections. Returns the file and the environment variables holding the secrets.
 */
export function writeJobsConfig(
  connections: Record<string, TestConnection>,
  sections: Record<string, unknown>,
): { file: string; env: Record<string, string> } {
  const env: Record<string, string> = {};
  const config = {
    org: { timezone: 'America/New_York' },
    connections: Object.entries(connections).map(([id, { emulator, sync, options }]) => {
      const variable = `SF_SECRET_${id.toUpperCase().replace(/-/g, '_')}`;
      env[variable] = emulator.credentials.clientSecret;
      return {
        id,
        provider: 'salesforce',
        salesforce: {
          flow: 'client_credentials',
          loginUrl: emulator.url,
          clientId: emulator.credentials.clientId,
          clientSecret: `\${${variable}}`,
        },
        // REST only (no Bulk), small pages: many checkpoints to stop or crash between.
        sync: { lagSeconds: 0, retryDelayMs: 10, bulkThreshold: 1_000_000, queryBatchSize: 200, ...sync },
        mapping: { meetingOutcomeField: 'Meeting_Outcome__c' },
        ...options,
      };
    }),
    ...sections,
  };
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'attain-jobs-')), 'attain.config.yaml');
  writeFileSync(file, stringify(config));
  return { file, env };
}

/** Worker settings that recover a killed worker's jobs within a few seconds. */
export const FAST_RECOVERY = {
  lockDurationSeconds: 2,
  stalledIntervalSeconds: 1,
  shutdownTimeoutSeconds: 10,
};

/** Fast retries for tests. */
export const FAST_QUEUE = { attempts: 8, backoffSeconds: 0.5, maxBackoffSeconds: 2 };
