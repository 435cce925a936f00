import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.ts';
import { PROMETHEUS_CONTENT_TYPE, type MetricsRegistry } from './prometheus.ts';
import { redactString } from './secrets.ts';

/** One dependency checked by /readyz. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface OpsServerOptions {
  /** 0 picks a free port (tests); the chosen one is returned. */
  port: number;
  host?: string;
  readiness: readonly ReadinessCheck[];
  metrics: MetricsRegistry;
  logger: Logger;
  /** A check that takes longer than this counts as failed. */
  checkTimeoutMs?: number;
}

export interface OpsServer {
  readonly port: number;
  /** From now on /readyz answers 503: the process is shutting down. */
  drain(): void;
  close(): Promise<void>;
}

/**
 * The operations endpoint of the long-running processes (worker, scheduler):
 * - `GET /healthz` 200 while the process and its event loop are alive (liveness);
 * - `GET /readyz` 200 when every dependency (Redis, PostgreSQL) answers, else 503 with the reasons;
 * - `GET /metrics` Prometheus text format.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const timeoutMs = options.checkTimeoutMs ?? 2000;
  let draining = false;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      response.end(body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      send(405, 'text/plain', 'method not allowed\n');
      return;
    }
    switch (url.pathname) {
      case '/healthz':
        send(200, 'text/plain', 'ok\n');
        return;
      case '/readyz':
        void readiness(options.readiness, timeoutMs, draining).then((result) =>
          send(result.ready ? 200 : 503, 'application/json', JSON.stringify(result) + '\n'),
        );
        return;
      case '/metrics':
        options.metrics.render().then(
          (text) => send(200, PROMETHEUS_CONTENT_TYPE, text),
          (error: unknown) => {
            options.logger.error({ err: error }, 'rendering metrics failed');
            send(500, 'text/plain', 'metrics unavailable\n');
          },
        );
        return;
      default:
        send(404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
    }
  });
  server.listen(options.port, options.host ?? '0.0.0.0');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    port: (server.address() as AddressInfo).port,
    drain() {
      draining = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface ReadinessResult {
  ready: boolean;
  checks: Array<{ name: string; ok: boolean; error?: string }>;
}

async function readiness(
  checks: readonly ReadinessCheck[],
  timeoutMs: number,
  draining: boolean,
): Promise<ReadinessResult> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        await withTimeout(check(), timeoutMs, `${name} did not answer within ${timeoutMs} ms`);
        return { name, ok: true };
      } catch (error) {
        return {
          name,
          ok: false,
          error: redactString(error instanceof Error ? error.message : String(error)),
        };
      }
    }),
  );
  const all = draining ? [...results, { name: 'process', ok: false, error: 'shutting down' }] : results;
  return { ready: all.every((result) => result.ok), checks: all };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
