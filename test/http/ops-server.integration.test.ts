import { afterEach, describe, expect, it } from 'vitest';
import { startOpsServer, type OpsServer, type ReadinessCheck } from '../../src/http.ts';
import { silentLogger } from '../../src/logger.ts';
import { MetricsRegistry } from '../../src/prometheus.ts';

describe('the operations endpoint', () => {
  let server: OpsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(readiness: ReadinessCheck[]) {
    const metrics = new MetricsRegistry();
    metrics.counter('attain_test_total', 'A counter').inc();
    server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      readiness,
      metrics,
      logger: silentLogger,
      checkTimeoutMs: 200,
    });
    return `http://127.0.0.1:${server.port}`;
  }

  it('is alive, ready when every check passes, and serves metrics', async () => {
    const base = await start([{ name: 'redis', check: async () => {} }]);
    expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
    const ready = await fetch(`${base}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([
      200,
      { ready: true, checks: [{ name: 'redis', ok: true }] },
    ]);
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('attain_test_total 1');
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('is not ready while a dependency fails or hangs, or once the process drains', async () => {
    const base = await start([
      {
        name: 'postgres',
        check: async () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
        },
      },
      { name: 'redis', check: () => new Promise(() => {}) },
    ]);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      ready: false,
      checks: [
        { name: 'postgres', ok: false, error: 'connect ECONNREFUSED 127.0.0.1:5432' },
        { name: 'redis', ok: false, error: 'redis did not answer within 200 ms' },
      ],
    });
    server!.drain();
    const drained = (await (await fetch(`${base}/readyz`)).json()) as { checks: unknown[] };
    expect(drained.checks.at(-1)).toEqual({
      name: 'process',
      ok: false,
      error: 'shutting down',
    });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
