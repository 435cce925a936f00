import { UnrecoverableError, type MinimalJob } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { retryDelayStrategy, toJobError } from '../../jobs/failure-policy.ts';
import { ConfigError } from '../../src/errors/config-error.ts';
import { CrmAuthError } from '../../src/errors/crm-auth-error.ts';
import { CrmRequestError } from '../../src/errors/crm-request-error.ts';
import { CrmUnavailableError } from '../../src/errors/crm-unavailable-error.ts';
import { UsageError } from '../../src/errors/usage-error.ts';
import { registerSecret } from '../../src/secrets.ts';

describe('toJobError', () => {
  it('fails at once what retrying cannot fix: credentials, refused requests, config, usage', () => {
    for (const error of [
      new CrmAuthError('Salesforce login failed: invalid_client', { code: 'invalid_client' }),
      new CrmRequestError('No such column Foo__c', { code: 'INVALID_FIELD' }),
      new ConfigError('attain.config.yaml', [{ path: 'connections[0].id', message: 'required' }]),
      new UsageError('no digest schedule "weekly"'),
    ]) {
      const mapped = toJobError(error);
      expect(mapped, error.name).toBeInstanceOf(UnrecoverableError);
      expect(mapped.message).toContain(error.name);
    }
  });

  it('keeps everything else retryable, as it was thrown', () => {
    const unavailable = new CrmUnavailableError('503', { code: 'ERROR_HTTP_503', retryAfterMs: 5000 });
    expect(toJobError(unavailable)).toBe(unavailable);
    const network = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    expect(toJobError(network)).toBe(network);
    expect(toJobError('a string')).toBeInstanceOf(Error);
  });

  it('masks secrets before BullMQ stores the message and stack in Redis', () => {
    registerSecret('refresh-token-value-5521');
    const mapped = toJobError(new Error('refresh with refresh-token-value-5521 failed'));
    expect(mapped.message).toBe('refresh with [REDACTED] failed');
    expect(mapped.stack).not.toContain('refresh-token-value-5521');
  });
});

describe('retryDelayStrategy', () => {
  const job = { opts: { backoff: { type: 'crm', delay: 1000 } } } as MinimalJob;
  const strategy = retryDelayStrategy(10_000);

  it('doubles from the job’s delay, with ±20 % jitter, up to the maximum', async () => {
    for (const [attempt, expected] of [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [6, 10_000],
    ] as const) {
      const delay = await strategy(attempt, 'crm', new Error('x'), job);
      expect(delay).toBeGreaterThanOrEqual(expected * 0.8);
      expect(delay).toBeLessThanOrEqual(expected * 1.2);
    }
  });

  it('waits at least as long as the CRM’s Retry-After, even past the maximum or in a cause', async () => {
    const limited = new CrmUnavailableError('429', { code: 'ERROR_HTTP_429', retryAfterMs: 60_000 });
    expect(await strategy(1, 'crm', limited, job)).toBe(60_000);
    const wrapped = new Error('extract failed', { cause: limited });
    expect(await strategy(1, 'crm', wrapped, job)).toBe(60_000);
  });
});
