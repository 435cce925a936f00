import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { deriveSeed, Random } from '../connectors/world/random.ts';
import { FAULT_KINDS, planFaults, type FaultKind, type PlannedFault } from './chaos-plan.ts';
import { ChaosSystem, CONNECTION_ID } from './chaos-system.ts';
import { applyUserChanges } from './crm-mutations.ts';
import { injectFault, sleep } from './faults.ts';
import { verifySystem, type Check } from './verify.ts';

export interface ChaosOptions {
  /** Decides the world, which faults happen when, and every random choice in them. */
  seed: number;
  /** Reps in the emulated org (records grow with it). */
  scale: number;
  /** How long faults and CRM changes are injected. */
  durationSeconds: number;
  /** Default 3 and 5. */
  syncEverySeconds?: number;
  digestEverySeconds?: number;
  /** How long the system gets, once the faults stop, to finish a clean run. Default 120. */
  settleTimeoutSeconds?: number;
  /** A migrated database to clone instead of migrating a new one (the test suite's template). */
  templateDatabase?: string;
  /** Receives the readable log, line by line. */
  log?: (line: string) => void;
}

export type InjectionKind = FaultKind | 'crm-mutations';

export interface Injection {
  /** Seconds after the chaos window opened. */
  atSeconds: number;
  kind: InjectionKind;
  detail: string;
}

export interface ChaosReport {
  seed: number;
  scale: number;
  durationSeconds: number;
  injections: Injection[];
  checks: Check[];
  /** Every difference of every check, prefixed with the check's name; empty = the run passed. */
  differences: string[];
  /** Wall time of the whole run, boot to teardown. */
  seconds: number;
}

/** Time after the faults stop for the last queued jobs to finish once the schedulers are gone. */
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * The fault suite: production mode (two workers, two schedulers, Redis, PostgreSQL, an emulated
 * Salesforce org, SMTP) runs short scheduled sync and digest slots while, for `durationSeconds`,
 * workers are killed with SIGKILL, Redis restarts, PostgreSQL refuses connections, the CRM answers
 * 429/5xx and expires its tokens, and users keep changing records. Then the faults stop, the system
 * gets one clean run, every process is stopped with SIGTERM, and the end state is verified.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const began = performance.now();
  const durationMs = options.durationSeconds * 1000;
  log(
    `attain chaos — seed ${options.seed}, scale ${options.scale}, ${options.durationSeconds} s of faults ` +
      `(replay with --seed ${options.seed})`,
  );
  log('starting:');
  const system = await ChaosSystem.start({
    seed: options.seed,
    scale: options.scale,
    syncEverySeconds: options.syncEverySeconds ?? 3,
    digestEverySeconds: options.digestEverySeconds ?? 5,
    ...(options.templateDatabase ? { templateDatabase: options.templateDatabase } : {}),
    log,
  });
  try {
    const opened = performance.now();
    const clock = () => (performance.now() - opened) / 1000;
    const stamp = (seconds: number) => `[${seconds.toFixed(1).padStart(6)} s]`;
    const injections: Injection[] = [];
    const harnessProblems: string[] = [];
    const record = (atSeconds: number, kind: InjectionKind, detail: string) => {
      injections.push({ atSeconds, kind, detail });
      log(`${stamp(atSeconds)} ${kind.padEnd(16)} ${detail}`);
    };

    log(`injecting for ${options.durationSeconds} s:`);
    const plan = planFaults(options.seed, durationMs);
    await Promise.all([
      injectFaults(system, plan, opened, record, harnessProblems),
      changeRecords(system, options.seed, opened + durationMs, clock, record, harnessProblems),
    ]);

    system.emulator.store.faults.clear();
    const quietSince = new Date();
    log(`${stamp(clock())} faults stopped; waiting for a clean run and a digest slot`);
    const settled = await settle(system, quietSince, (options.settleTimeoutSeconds ?? 120) * 1000);
    if ('problem' in settled) harnessProblems.push(settled.problem);
    else log(`${stamp(clock())} settled: ${settled.detail}`);

    log(`${stamp(clock())} stopping every process with SIGTERM`);
    const shutdownProblems = await shutDown(system);

    const checks = [
      injectionCheck(injections, harnessProblems),
      ...(await verifySystem(system, quietSince, shutdownProblems)),
    ];
    log('verified:');
    for (const check of checks) {
      const mark = check.differences.length === 0 ? 'ok  ' : 'FAIL';
      log(`  ${mark} ${check.name}: ${check.detail}`);
      for (const difference of check.differences.slice(0, 20)) log(`         ${difference}`);
      if (check.differences.length > 20) log(`         … and ${check.differences.length - 20} more`);
    }
    const differences = checks.flatMap((check) =>
      check.differences.map((difference) => `${check.name}: ${difference}`),
    );
    const seconds = (performance.now() - began) / 1000;
    log(
      differences.length === 0
        ? `chaos passed in ${seconds.toFixed(0)} s: ${injections.length} injections, no difference`
        : `chaos FAILED in ${seconds.toFixed(0)} s: ${differences.length} difference(s)`,
    );
    return {
      seed: options.seed,
      scale: options.scale,
      durationSeconds: options.durationSeconds,
      injections: injections.sort((a, b) => a.atSeconds - b.atSeconds),
      checks,
      differences,
      seconds,
    };
  } finally {
    await system.dispose();
  }
}

/**
 * Fires each planned fault at its moment. Faults of different kinds may overlap (a worker killed
 * during a Redis restart); one of the same kind waits for the previous one to finish.
 */
async function injectFaults(
  system: ChaosSystem,
  plan: PlannedFault[],
  opened: number,
  record: (atSeconds: number, kind: InjectionKind, detail: string) => void,
  problems: string[],
): Promise<void> {
  const running = new Map<FaultKind, Promise<void>>();
  for (const fault of plan) {
    await sleep(Math.max(0, opened + fault.atMs - performance.now()));
    const previous = running.get(fault.kind) ?? Promise.resolve();
    running.set(
      fault.kind,
      previous.then(async () => {
        const at = (performance.now() - opened) / 1000;
        try {
          record(at, fault.kind, await injectFault(system, fault));
        } catch (error) {
          problems.push(`${fault.kind} at ${at.toFixed(1)} s could not be injected: ${String(error)}`);
        }
      }),
    );
  }
  await Promise.all(running.values());
}

/** What the org's users do until `until`: a small batch of changes every 0.5–1.5 s. */
async function changeRecords(
  system: ChaosSystem,
  seed: number,
  until: number,
  clock: () => number,
  record: (atSeconds: number, kind: InjectionKind, detail: string) => void,
  problems: string[],
): Promise<void> {
  const random = new Random(deriveSeed(seed, 'chaos-users'));
  for (;;) {
    await sleep(random.int(500, 1500));
    if (performance.now() >= until) return;
    try {
      const batch = applyUserChanges(system.emulator.store, random, new Date());
      if (batch.mutations.length > 0) record(clock(), 'crm-mutations', batch.summary);
    } catch (error) {
      problems.push(`CRM changes at ${clock().toFixed(1)} s could not be made: ${String(error)}`);
    }
  }
}

/**
 * Waits for a run scheduled after the faults stopped that succeeded and found nothing left to write
 * back — so every earlier write is in the org and its echo in the warehouse — and for a digest
 * slot after the faults stopped to have been sent.
 */
async function settle(
  system: ChaosSystem,
  quietSince: Date,
  timeoutMs: number,
): Promise<{ detail: string } | { problem: string }> {
  const db = system.database.db;
  const deadline = performance.now() + timeoutMs;
  let run: { id: number; slot: string } | undefined;
  let digest: { id: number } | undefined;
  while (performance.now() < deadline) {
    run ??= (
      await sql<{ id: number; slot: string }>`
        SELECT r.id, r.report->>'slot' AS slot FROM runs r
        JOIN runs w ON w.parent_run_id = r.id AND w.stage = 'writeback'
        WHERE r.connection_id = ${CONNECTION_ID} AND r.stage = 'run' AND r.status = 'succeeded'
          AND (r.report->>'slot')::timestamptz >= ${quietSince} AND (w.counts->>'fieldsChanged')::int = 0
        ORDER BY r.id LIMIT 1`.execute(db)
    ).rows[0];
    digest ??= (
      await sql<{ id: number }>`
        SELECT id FROM runs WHERE connection_id = ${CONNECTION_ID} AND stage = 'digest'
          AND status IN ('succeeded', 'partial') AND started_at >= ${quietSince}
        ORDER BY id LIMIT 1`.execute(db)
    ).rows[0];
    if (run && digest) return { detail: `run ${run.id} (slot ${run.slot}) had nothing left to write back` };
    await sleep(250);
  }
  const missing = [...(run ? [] : ['a clean run']), ...(digest ? [] : ['a digest slot'])].join(' and ');
  return { problem: `no ${missing} within ${timeoutMs / 1000} s after the faults stopped` };
}

/** Schedulers first, then the queues drain, then the workers: each must exit 0 on SIGTERM. */
async function shutDown(system: ChaosSystem): Promise<string[]> {
  const problems: string[] = [];
  const exitProblems = (role: string, exits: Array<{ code: number | null; signal: string | null }>) =>
    exits.flatMap((exit, index) =>
      exit.code === 0
        ? []
        : [`${role} ${index + 1} ended with ${exit.signal ?? `code ${exit.code}`} on SIGTERM`],
    );
  problems.push(...exitProblems('scheduler', await system.stopGracefully('scheduler')));
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const counts = await Promise.all(
      [...system.producer.queues.values()].map((queue) =>
        queue.getJobCounts('waiting', 'active', 'delayed', 'waiting-children', 'prioritized'),
      ),
    );
    const left = counts.reduce(
      (total, byState) => total + Object.values(byState).reduce((a, b) => a + b, 0),
      0,
    );
    if (left === 0) break;
    if (performance.now() > deadline) {
      problems.push(`${left} jobs still queued ${DRAIN_TIMEOUT_MS / 1000} s after the schedulers stopped`);
      break;
    }
    await sleep(250);
  }
  problems.push(...exitProblems('worker', await system.stopGracefully('worker')));
  return problems;
}

function injectionCheck(injections: Injection[], problems: string[]): Check {
  const kinds: InjectionKind[] = [...FAULT_KINDS, 'crm-mutations'];
  const missing = kinds.filter((kind) => !injections.some((injection) => injection.kind === kind));
  const count = (kind: InjectionKind) => injections.filter((injection) => injection.kind === kind).length;
  return {
    name: 'every kind of fault was injected',
    detail: kinds.map((kind) => `${kind} ×${count(kind)}`).join(', '),
    differences: [...missing.map((kind) => `no ${kind} happened`), ...problems],
  };
}
