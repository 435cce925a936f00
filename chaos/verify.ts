import { sql } from 'kysely';
import { differencesFromGroundTruth, writebackDifferences } from '../test/support/salesforce.ts';
import { CONNECTION_ID, type ChaosSystem } from './chaos-system.ts';

/** One verification: what was compared, and every difference found (none = passed). */
export interface Check {
  name: string;
  /** What was compared, for the log (counts, not data). */
  detail: string;
  differences: string[];
}

/**
 * The end state the chaos must not have been able to disturb, checked once every process has
 * stopped: the warehouse equals the org, the org's writeback fields equal the KPI table, no digest
 * went out twice, and the audit trail is consistent.
 */
export async function verifySystem(
  system: ChaosSystem,
  quietSince: Date,
  shutdownProblems: string[],
): Promise<Check[]> {
  return [
    await warehouseCheck(system),
    await writebackCheck(system),
    await digestCheck(system),
    await runsCheck(system, quietSince),
    processCheck(system, shutdownProblems),
  ];
}

async function warehouseCheck(system: ChaosSystem): Promise<Check> {
  const differences = await differencesFromGroundTruth(system.database.db, system.emulator, CONNECTION_ID);
  const landed = await sql<{ objects: number; records: number }>`
    SELECT count(DISTINCT object)::int AS objects, count(*)::int AS records FROM crm_records
    WHERE connection_id = ${CONNECTION_ID}`.execute(system.database.db);
  const { objects, records } = landed.rows[0]!;
  return {
    name: 'warehouse equals the CRM ground truth',
    detail: `${records} landed records of ${objects} objects compared field by field with the org`,
    differences,
  };
}

async function writebackCheck(system: ChaosSystem): Promise<Check> {
  const { asOf, checked, differences } = await writebackDifferences(
    system.database.db,
    system.emulator,
    CONNECTION_ID,
  );
  return {
    name: "every rep's CRM fields equal the KPI table",
    detail: `${checked} reps × 9 Attain_* fields compared with rep_period_kpis as of ${asOf}`,
    differences: checked === 0 ? ['no rep had a KPI row to compare', ...differences] : differences,
  };
}

/**
 * Digest messages carry a Message-ID made of (connection, schedule, recipient, slot): two
 * messages with one id are one digest sent twice. Every send digest_log records must have
 * arrived; a message that arrived while its row still says 'sending' was sent by a process that
 * died (or lost the database) before recording it — that slot is never sent again, so it is not a
 * difference.
 */
async function digestCheck(system: ChaosSystem): Promise<Check> {
  const received = new Map<string, number>();
  for (const mail of system.mail.received) {
    const id = mail.headers.get('message-id') ?? '(none)';
    received.set(id, (received.get(id) ?? 0) + 1);
  }
  const differences: string[] = [];
  for (const [id, count] of received) if (count > 1) differences.push(`digest ${id} received ${count} times`);
  const log = await system.database.db
    .selectFrom('digest_log')
    .select(['recipient', 'slot', 'status', 'message_id'])
    .where('connection_id', '=', CONNECTION_ID)
    .execute();
  const sent = log.filter((row) => row.status === 'sent');
  for (const row of sent)
    if (!row.message_id || !received.has(row.message_id))
      differences.push(
        `digest_log says ${row.recipient} @ ${row.slot.toISOString()} was sent, the SMTP server never got it`,
      );
  const logged = new Set(sent.map((row) => row.message_id));
  const unrecorded = [...received.keys()].filter((id) => !logged.has(id)).length;
  const slots = new Set(log.map((row) => row.slot.toISOString())).size;
  if (sent.length === 0) differences.push('no digest was sent at all');
  return {
    name: 'no digest sent twice',
    detail:
      `${system.mail.received.length} messages received for ${slots} slots; digest_log: ${sent.length} sent, ` +
      `${log.length - sent.length} not sent (failed or interrupted)` +
      (unrecorded > 0 ? `; ${unrecorded} delivered by a process that died before recording it` : ''),
    differences,
  };
}

/**
 * The audit trail: after the faults stopped every stage run finished; a run left 'running' before
 * that belongs to a process that was killed or lost its database (honest, not a difference);
 * failed runs say why; runs of the connection never overlapped.
 */
async function runsCheck(system: ChaosSystem, quietSince: Date): Promise<Check> {
  const db = system.database.db;
  const runs = await db
    .selectFrom('runs')
    .select(['id', 'stage', 'status', 'started_at', 'finished_at', 'error', 'parent_run_id'])
    .where('connection_id', '=', CONNECTION_ID)
    .orderBy('started_at')
    .execute();
  const differences: string[] = [];
  const tally = new Map<string, number>();
  for (const run of runs) {
    const key = `${run.stage} ${run.status}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
    if (run.status === 'running' && run.started_at >= quietSince)
      differences.push(`${run.stage} run ${run.id} started after the faults stopped and never finished`);
    if (run.status === 'failed' && !run.error)
      differences.push(`${run.stage} run ${run.id} failed without an error`);
    if (run.finished_at && run.finished_at < run.started_at)
      differences.push(`${run.stage} run ${run.id} finished before it started`);
  }
  const whole = runs.filter((run) => run.stage === 'run');
  for (let i = 1; i < whole.length; i++) {
    const [before, after] = [whole[i - 1]!, whole[i]!];
    if (before.finished_at && after.started_at < before.finished_at)
      differences.push(`runs ${before.id} and ${after.id} of the connection overlapped`);
  }
  const last = whole.at(-1);
  if (!last || last.status !== 'succeeded') differences.push('the last run did not succeed');
  const summary = [...tally.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, n]) => `${key} ${n}`)
    .join(', ');
  const durations = whole
    .filter((run) => run.finished_at)
    .map((run) => (run.finished_at!.getTime() - run.started_at.getTime()) / 1000)
    .sort((a, b) => a - b);
  const spans = durations.length
    ? `; a run took ${durations[Math.floor(durations.length / 2)]!.toFixed(1)} s (median), ` +
      `${durations.at(-1)!.toFixed(1)} s at most`
    : '';
  return { name: 'runs ended in a sane state', detail: summary + spans, differences };
}

function processCheck(system: ChaosSystem, shutdownProblems: string[]): Check {
  return {
    name: 'no process crashed, every one stopped cleanly',
    detail: 'workers and schedulers exited only when told to, and with code 0 on SIGTERM',
    differences: [...system.unexpectedExits, ...shutdownProblems],
  };
}
