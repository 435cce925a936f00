import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors/config-error.ts';

const connection = {
  id: 'sf',
  provider: 'salesforce',
  salesforce: { clientId: 'id', clientSecret: 'secret-value' },
};

function issues(raw: unknown): string[] {
  try {
    parseConfig(raw, 'test', {});
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('production-mode config', () => {
  it('has defaults fit for production', () => {
    const config = parseConfig({ connections: [connection] }, 'test', {});
    expect(config.schedules).toEqual({ sync: '*/15 * * * *', fullRefresh: null, connections: {} });
    expect(config.worker).toEqual({
      concurrency: { extract: 4, normalize: 2, kpis: 2, writeback: 2, digest: 1 },
      shutdownTimeoutSeconds: 30,
      httpPort: 9464,
      lockDurationSeconds: 30,
      stalledIntervalSeconds: 30,
      maxStalledCount: 1,
    });
    expect(config.scheduler).toEqual({ httpPort: 9465 });
    expect(config.queue).toEqual({
      prefix: 'attain',
      attempts: 5,
      backoffSeconds: 10,
      maxBackoffSeconds: 900,
      keepCompletedSeconds: 86_400,
      keepFailedSeconds: 604_800,
    });
    expect(config.connections[0]!.rateLimit).toEqual({ requests: 25, intervalSeconds: 1 });
  });

  it('takes per-connection schedules and lists every mistake by path', () => {
    const config = parseConfig(
      {
        connections: [connection],
        schedules: {
          timezone: 'Europe/Berlin',
          connections: { sf: { sync: '*/5 * * * *', fullRefresh: '0 2 * * 0' } },
        },
      },
      'test',
      {},
    );
    expect(config.schedules.connections.sf).toEqual({ sync: '*/5 * * * *', fullRefresh: '0 2 * * 0' });
    expect(
      issues({
        connections: [connection],
        schedules: {
          sync: 'every minute',
          timezone: 'Mars/Olympus',
        },
        worker: { concurrency: { extract: 0, exports: 1 }, httpPort: 70_000 },
        queue: { prefix: 'attain:prod' },
      }),
    ).toEqual([
      'queue.prefix: letters, digits, "-" and "_" only',
      'schedules.sync: not a valid cron expression (node-cron syntax, e.g. "*/15 * * * *")',
      'schedules.timezone: not an IANA time zone (e.g. America/New_York)',
      'worker.concurrency.exports: unknown key',
      'worker.concurrency.extract: must be >= 1',
      'worker.httpPort: must be <= 65535',
    ]);
    expect(
      issues({ connections: [connection], schedules: { connections: { hubspot: { sync: null } } } }),
    ).toEqual(['schedules.connections.hubspot: no such connection']);
  });
});
