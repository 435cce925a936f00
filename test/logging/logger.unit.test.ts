import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { REDACTED, redact, registerSecret } from '../../src/secrets.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: createLogger({ destination, pretty: false, level: 'debug' }), text: () => lines.join('') };
}

describe('logger redaction', () => {
  it('masks secret-named keys at any depth, in objects and arrays', () => {
    const { logger, text } = capture();
    logger.info(
      {
        connection: {
          id: 'acme',
          credentials: { clientSecret: 'cs-0123456789', accessToken: '00Dxx!AQ.abcdef123456' },
        },
        request: { headers: { Authorization: 'Bearer 00Dxx!AQ.abcdef123456', accept: 'application/json' } },
        tokens: [{ refresh_token: 'rt-abcdefghijkl' }],
        tokenTtlSeconds: 3600,
      },
      'connected',
    );
    const out = text();
    for (const secret of ['cs-0123456789', 'abcdef123456', 'rt-abcdefghijkl'])
      expect(out).not.toContain(secret);
    const line = JSON.parse(out) as {
      connection: { credentials: unknown };
      request: { headers: unknown };
      tokenTtlSeconds: number;
    };
    expect(line.connection.credentials).toEqual({ clientSecret: REDACTED, accessToken: REDACTED });
    expect(line.request.headers).toEqual({ Authorization: REDACTED, accept: 'application/json' });
    expect(line.tokenTtlSeconds).toBe(3600);
  });

  it('masks registered secret values inside messages, errors and unrelated keys', () => {
    registerSecret('sk-live-9f8e7d6c5b4a');
    const { logger, text } = capture();
    const error = new Error('request failed: token sk-live-9f8e7d6c5b4a rejected');
    logger.error(
      { err: error, note: 'used sk-live-9f8e7d6c5b4a', url: 'postgres://app:hunter2xyz@db:5432/w' },
      'boom %s',
      'sk-live-9f8e7d6c5b4a',
    );
    const out = text();
    expect(out).not.toContain('sk-live-9f8e7d6c5b4a');
    expect(out).not.toContain('hunter2xyz');
    expect(out).toContain('request failed: token [REDACTED] rejected');
  });

  it('redact() leaves the original untouched and handles cycles', () => {
    const original: Record<string, unknown> = { password: 'p4ssw0rd!!', nested: { ok: 1 } };
    original.self = original;
    const copy = redact(original);
    expect(copy.password).toBe(REDACTED);
    expect(original.password).toBe('p4ssw0rd!!');
    expect((copy.self as Record<string, unknown>).password).toBe(REDACTED);
  });
});
