import type { PlannedFault } from './chaos-plan.ts';
import type { ChaosSystem } from './chaos-system.ts';

/** How long a kill waits for a worker to be in the middle of a job. */
const BUSY_WAIT_MS = 3000;

/**
 * Carries out one planned fault against the running system and says what it did, for the log.
 * Resolves when the fault is over (the killed worker is back, Redis and PostgreSQL answer again);
 * CRM error storms are queued in the emulator and play out as requests arrive.
 */
export async function injectFault(system: ChaosSystem, fault: PlannedFault): Promise<string> {
  const { random } = fault;
  switch (fault.kind) {
    case 'kill-worker': {
      // A worker in the middle of a job (waiting a moment for one): that is where a crash hurts.
      const busy = await busyWorkers(system, BUSY_WAIT_MS);
      const index = random.pick(busy.length > 0 ? busy : system.workers.map((_, i) => i));
      const { pid, activeJobs } = await system.killWorker(index);
      const downMs = random.int(200, 1500);
      await sleep(downMs);
      const { worker, failedStarts } = await system.startWorker(index);
      const doing = activeJobs.length > 0 ? `while running ${activeJobs.join(', ')}` : 'while idle';
      const failed =
        failedStarts.length > 0
          ? ` (after ${failedStarts.length} failed start(s): ${[...new Set(failedStarts)].join('; ')})`
          : '';
      return `kill -9 worker ${index + 1} (pid ${pid}) ${doing}; restarted ${downMs} ms later as pid ${worker.child.pid}${failed}`;
    }
    case 'redis-restart': {
      const downMs = random.int(300, 1500);
      const during = await whileBusy(system);
      await system.redis.restart(downMs);
      return `Redis shut down for ${downMs} ms ${during}, then restarted on its append-only file`;
    }
    case 'postgres-outage': {
      const downMs = random.int(1000, 3000);
      const during = await whileBusy(system);
      await system.proxy.refuse(downMs);
      return `PostgreSQL unreachable for ${downMs} ms ${during} (connections dropped, new ones refused)`;
    }
    case 'crm-429-storm': {
      const times = random.int(2, 4);
      system.emulator.store.faults.add({ pathRegex: '^/services/data/', status: 429, times });
      return `the next ${times} CRM API calls answer 429 REQUEST_LIMIT_EXCEEDED`;
    }
    case 'crm-5xx-storm': {
      const times = random.int(2, 4);
      const status = random.pick([500, 502, 503]);
      system.emulator.store.faults.add({ pathRegex: '^/services/data/', status, times });
      return `the next ${times} CRM API calls answer ${status}`;
    }
    case 'token-expiry':
      system.emulator.store.expireTokens();
      return 'every CRM access token expired (401 INVALID_SESSION_ID until the client logs in again)';
  }
}

/** Waits a moment for work to be under way, and says what was. */
async function whileBusy(system: ChaosSystem): Promise<string> {
  const busy = await busyWorkers(system, BUSY_WAIT_MS);
  const jobs = busy.flatMap((index) => system.activeJobs(index));
  return jobs.length > 0 ? `while ${jobs.join(', ')} ran` : 'while nothing ran';
}

/** Workers running a job, polled for up to `waitMs` until there is one. */
async function busyWorkers(system: ChaosSystem, waitMs: number): Promise<number[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const busy = system.busyWorkers();
    if (busy.length > 0 || Date.now() >= deadline) return busy;
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
