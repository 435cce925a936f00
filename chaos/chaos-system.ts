import {
  startSalesforceEmulator,
  type SalesforceEmulator,
} from '../connectors/salesforce/emulator/emulator.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { RunProducer } from '../jobs/run-producer.ts';
import { loadConfig, type Config } from '../src/config.ts';
import { silentLogger } from '../src/logger.ts';
import { startAttain, type AttainProcess, type Exit } from '../test/support/attain-process.ts';
import { FAST_QUEUE, FAST_RECOVERY, writeJobsConfig } from '../test/support/jobs-config.ts';
import { startMailSink, type MailSink } from '../test/support/mail-sink.ts';
import {
  ADMIN_URL,
  createDatabaseFrom,
  databaseUrl,
  dropDatabase,
  uniqueName,
  withAdmin,
} from '../test/support/postgres.ts';
import { startPrivateRedis, type PrivateRedis } from '../test/support/private-redis.ts';
import { startTcpProxy, type TcpProxy } from '../test/support/tcp-proxy.ts';

export const CONNECTION_ID = 'sf';
const DIGEST_SCHEDULE = 'team-pulse';
const SMTP_USER = 'chaos-digests';
const SMTP_PASSWORD = 'chaos-smtp-secret-5183';
/** Starts of one worker before giving up, and the pause between them. */
const MAX_STARTS = 20;
const RESTART_DELAY_MS = 500;

export interface SystemOptions {
  seed: number;
  scale: number;
  /** Seconds between scheduled sync runs, and between digest slots. */
  syncEverySeconds: number;
  digestEverySeconds: number;
  /** A migrated database to clone (the test suite's template); without one a new one is migrated. */
  templateDatabase?: string;
  log: (line: string) => void;
}

/**
 * Everything production mode runs on, on this machine, each piece one the chaos run may break:
 * an emulated Salesforce org, a Redis server of its own (restartable), a fresh PostgreSQL database
 * reached by the workers through a TCP proxy (which can refuse connections), an SMTP server for the
 * digests, and two `attain worker` and two `attain scheduler` processes.
 */
export class ChaosSystem {
  readonly emulator: SalesforceEmulator;
  readonly redis: PrivateRedis;
  readonly proxy: TcpProxy;
  readonly mail: MailSink;
  /** A direct connection (not through the proxy), for watching and verifying. */
  readonly database: Database;
  readonly config: Config;
  /** For reading queue states. */
  readonly producer: RunProducer;
  readonly workers: AttainProcess[] = [];
  readonly schedulers: AttainProcess[] = [];
  /** Processes that exited without being told to, with how. */
  readonly unexpectedExits: string[] = [];
  readonly #env: NodeJS.ProcessEnv;
  readonly #databaseName: string;
  readonly #stopping = new Set<AttainProcess>();
  readonly #jobs = new Map<AttainProcess, ActiveJobs>();
  /** Processes that served their health port: from then on, an exit nobody asked for is a crash. */
  readonly #ready = new Set<AttainProcess>();

  private constructor(parts: {
    emulator: SalesforceEmulator;
    redis: PrivateRedis;
    proxy: TcpProxy;
    mail: MailSink;
    database: Database;
    databaseName: string;
    config: Config;
    env: NodeJS.ProcessEnv;
  }) {
    this.emulator = parts.emulator;
    this.redis = parts.redis;
    this.proxy = parts.proxy;
    this.mail = parts.mail;
    this.database = parts.database;
    this.#databaseName = parts.databaseName;
    this.config = parts.config;
    this.#env = parts.env;
    this.producer = new RunProducer(parts.config, parts.redis.url, silentLogger);
  }

  static async start(options: SystemOptions): Promise<ChaosSystem> {
    const { log } = options;
    // Whatever started is stopped again if a later piece fails to start.
    const cleanups: Array<() => Promise<unknown>> = [];
    const started = <T>(resource: T, stop: (resource: T) => Promise<unknown>): T => {
      cleanups.unshift(() => stop(resource));
      return resource;
    };
    try {
      // Small pages and some latency: extracts take long enough, with enough checkpoints, to be hit.
      const emulator = started(
        await startSalesforceEmulator({
          seed: options.seed,
          scale: options.scale,
          latencyMs: 20,
          queryPageSize: 50,
        }),
        (emulator) => emulator.stop(),
      );
      const records = Object.values(emulator.counts).reduce((total, n) => total + n, 0);
      log(
        `  Salesforce emulator ${emulator.url}: seed ${options.seed}, scale ${options.scale}, ${records} records`,
      );
      const redis = started(await startPrivateRedis(), (redis) => redis.stop());
      log(`  Redis (private, restartable) ${redis.url}`);
      const mail = started(await startMailSink({ user: SMTP_USER, password: SMTP_PASSWORD }), (mail) =>
        mail.close(),
      );
      log(`  SMTP sink on port ${mail.port}`);
      // Named like the test suite's databases, so its global setup drops one a killed run left behind.
      const databaseName = started(uniqueName('attain_test'), dropDatabase);
      await createDatabase(databaseName, options.templateDatabase);
      const database = started(
        await openDatabase({ url: databaseUrl(databaseName), poolSize: 3 }),
        (database) => database.close(),
      );
      const admin = new URL(ADMIN_URL);
      const proxy = started(
        await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) }),
        (proxy) => proxy.close(),
      );
      log(`  PostgreSQL database ${databaseName}, workers connect through a proxy on port ${proxy.port}`);
      const system = new ChaosSystem({
        emulator,
        redis,
        proxy,
        mail,
        database,
        databaseName,
        ...jobsConfig(options, emulator, redis, mail, databaseName, proxy),
      });
      cleanups.splice(0, cleanups.length, () => system.dispose());
      // Workers first (they would migrate a new database), then the schedulers.
      await Promise.all([0, 1].map((index) => system.startWorker(index)));
      for (let index = 0; index < 2; index++) system.schedulers.push(system.#spawn('scheduler', index));
      await Promise.all(system.schedulers.map((scheduler) => scheduler.port()));
      for (const scheduler of system.schedulers) system.#ready.add(scheduler);
      log(
        `  2 workers (pids ${system.workers.map((w) => w.child.pid).join(', ')}), ` +
          `2 schedulers (pids ${system.schedulers.map((s) => s.child.pid).join(', ')}): ` +
          `sync every ${options.syncEverySeconds} s, digest every ${options.digestEverySeconds} s`,
      );
      return system;
    } catch (error) {
      for (const cleanup of cleanups) await cleanup().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Starts worker `index` (again) and waits until it serves its health port. Like an orchestrator's
   * restart policy, it starts it once more when it exits during startup — as a worker does (exit 1)
   * when PostgreSQL is unreachable — up to MAX_STARTS times. Says why the failed starts failed.
   */
  async startWorker(index: number): Promise<{ worker: AttainProcess; failedStarts: string[] }> {
    const failedStarts: string[] = [];
    for (;;) {
      const worker = this.#spawn('worker', index);
      this.workers[index] = worker;
      try {
        await worker.port();
        this.#ready.add(worker);
        return { worker, failedStarts };
      } catch (error) {
        this.#stopping.add(worker);
        await worker.stop('SIGKILL');
        failedStarts.push(worker.output().trim().split('\n').at(-1) ?? '');
        if (failedStarts.length >= MAX_STARTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, RESTART_DELAY_MS));
      }
    }
  }

  /** Workers in the middle of a job now, by index (from their logs). */
  busyWorkers(): number[] {
    return this.workers.flatMap((_, index) => (this.activeJobs(index).length > 0 ? [index] : []));
  }

  /** The jobs worker `index` is running now (queue/job id). */
  activeJobs(index: number): string[] {
    return this.#jobs.get(this.workers[index]!)?.list() ?? [];
  }

  /** kill -9: no handler runs, nothing is handed back. */
  async killWorker(index: number): Promise<{ pid: number | undefined; activeJobs: string[] }> {
    const worker = this.workers[index]!;
    const activeJobs = this.activeJobs(index);
    this.#stopping.add(worker);
    await worker.stop('SIGKILL');
    return { pid: worker.child.pid, activeJobs };
  }

  /** SIGTERM to every process of one role; their exits, in order. */
  async stopGracefully(role: 'worker' | 'scheduler'): Promise<Exit[]> {
    const processes = role === 'worker' ? this.workers : this.schedulers;
    for (const child of processes) this.#stopping.add(child);
    return Promise.all(processes.map((child) => child.stop('SIGTERM')));
  }

  /** Stops whatever still runs and removes the database; safe to call after a failure. */
  async dispose(): Promise<void> {
    for (const child of [...this.workers, ...this.schedulers]) this.#stopping.add(child);
    await Promise.all([...this.workers, ...this.schedulers].map((child) => child.stop('SIGKILL')));
    await this.producer.close();
    await this.database.close();
    await Promise.allSettled([
      this.redis.stop(),
      this.proxy.close(),
      this.mail.close(),
      this.emulator.stop(),
      dropDatabase(this.#databaseName),
    ]);
  }

  #spawn(role: 'worker' | 'scheduler', index: number): AttainProcess {
    const child = startAttain([role, '--http-port', '0'], this.#env);
    const jobs = new ActiveJobs();
    this.#jobs.set(child, jobs);
    for (const stream of [child.child.stdout!, child.child.stderr!])
      stream.on('data', (chunk: Buffer) => jobs.feed(chunk));
    void child.exited.then((exit) => {
      // A start that fails is startWorker's to retry; a process that was up must not exit.
      if (this.#ready.has(child) && !this.#stopping.has(child))
        this.unexpectedExits.push(
          `${role} ${index + 1} (pid ${child.child.pid}) exited on its own: ` +
            `${exit.signal ?? `code ${exit.code}`}\n${child.output().slice(-2000)}`,
        );
    });
    return child;
  }
}

/**
 * The jobs a process is running, followed from its JSON log lines as they arrive: a job is active
 * from "job started" until its next "job …" line (completed, failed, stopped and handed back).
 */
class ActiveJobs {
  readonly #active = new Set<string>();
  #partial = '';

  feed(chunk: Buffer): void {
    const lines = (this.#partial + chunk.toString()).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      const entry = parseLogLine(line);
      if (!entry.jobId || !entry.queue) continue;
      const key = `${entry.queue}/${entry.jobId}`;
      if (entry.msg === 'job started') this.#active.add(key);
      else if (entry.msg?.startsWith('job ')) this.#active.delete(key);
    }
  }

  list(): string[] {
    return [...this.#active];
  }
}

/**
 * The config file every process reads (one Salesforce connection to the emulator, sync and digest
 * schedules every few seconds, workers that recover a killed worker's jobs quickly) and the
 * environment they run with: the database through the proxy, the private Redis, the secrets.
 */
function jobsConfig(
  options: SystemOptions,
  emulator: SalesforceEmulator,
  redis: PrivateRedis,
  mail: MailSink,
  databaseName: string,
  proxy: TcpProxy,
): { config: Config; env: NodeJS.ProcessEnv } {
  const viaProxy = new URL(databaseUrl(databaseName));
  viaProxy.port = String(proxy.port);
  const { file, env: secrets } = writeJobsConfig(
    // Unthrottled: the storms, not a rate limit, are what slows the CRM down here.
    { [CONNECTION_ID]: { emulator, options: { rateLimit: { requests: 0, intervalSeconds: 1 } } } },
    {
      schedules: { sync: `*/${options.syncEverySeconds} * * * * *` },
      digests: {
        smtp: {
          host: '127.0.0.1',
          port: mail.port,
          user: SMTP_USER,
          password: '${CHAOS_SMTP_PASSWORD}',
          from: 'attain chaos <digests@chaos.example>',
          timeoutMs: 5000,
        },
        // No in-call retries: a failed send is retried by the digest job, through digest_log.
        retry: { attempts: 1, minDelayMs: 0, maxDelayMs: 0 },
        schedules: [
          {
            name: DIGEST_SCHEDULE,
            connection: CONNECTION_ID,
            cron: `*/${options.digestEverySeconds} * * * * *`,
            recipients: 'managers',
            channels: ['email'],
          },
        ],
      },
      worker: { ...FAST_RECOVERY, httpPort: 0 },
      scheduler: { httpPort: 0 },
      queue: { ...FAST_QUEUE, prefix: 'attain-chaos' },
    },
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATABASE_URL: viaProxy.toString(),
    REDIS_URL: redis.url,
    ATTAIN_CONFIG: file,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    CHAOS_SMTP_PASSWORD: SMTP_PASSWORD,
    ...secrets,
  };
  return { config: loadConfig(file, env).config, env };
}

function parseLogLine(line: string): { msg?: string; queue?: string; jobId?: string } {
  if (!line.startsWith('{')) return {};
  try {
    return JSON.parse(line) as { msg?: string; queue?: string; jobId?: string };
  } catch {
    // Not every line that starts with a brace is a log entry (a pretty-printed stack, say).
    return {};
  }
}

async function createDatabase(name: string, template: string | undefined): Promise<void> {
  if (template) return createDatabaseFrom(name, template);
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const database = await openDatabase({ url: databaseUrl(name), poolSize: 1 });
  try {
    await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
}
