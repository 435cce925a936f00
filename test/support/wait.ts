import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/emulator.ts';

/**
 * Polls `condition` every 100 ms until it holds; fails with `what` after `timeoutMs`. A condition
 * that throws (Redis or PostgreSQL away for a moment) counts as not yet.
 */
export async function waitUntil(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The writeback calls (sObject Collections PATCH) the emulated org received, with their record ids. */
export function writeCalls(emulator: SalesforceEmulator): Array<{ ids: string[] }> {
  return emulator.store.requestLog
    .entries()
    .filter((entry) => entry.method === 'PATCH' && entry.path.endsWith('/composite/sobjects'))
    .map((entry) => ({
      ids: (JSON.parse(entry.body) as { records: Array<{ id: string }> }).records.map((record) => record.id),
    }));
}
