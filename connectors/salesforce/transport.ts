import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce/lib/types/common.js';
import { Transport } from 'jsforce/lib/transport.js';
import type { StreamPromise } from 'jsforce/lib/util/promise.js';

/**
 * The HTTP transport under every jsforce call of a connection (REST, Bulk 2.0 and OAuth). It adds
 * what jsforce does not offer:
 * - proxies: jsforce applies HTTP(S)_PROXY to every URL and ignores NO_PROXY, so a proxy set for
 *   the internet would swallow requests to a local emulator; loopback and NO_PROXY hosts go direct;
 * - an exact count of API calls, jsforce's hidden GET retries included (each one costs quota);
 * - the server's clock (`Date`) and last `Retry-After`, for windows and back-off.
 */
export class CountingTransport extends Transport {
  /** API calls made (every attempt, retries included; OAuth token requests are not API calls). */
  attempts = 0;
  /** Server time minus local time, from the last response's Date header (ms). */
  clockSkewMs = 0;
  /** The last Retry-After the server sent, in ms, or undefined. */
  lastRetryAfterMs: number | undefined;
  readonly #env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    super();
    this.#env = env;
  }

  override httpRequest(req: HttpRequest, options: HttpRequestOptions = {}): StreamPromise<HttpResponse> {
    // OAuth token requests do not count against Salesforce's API limits; everything else does.
    const counted = !req.url.includes('/services/oauth2/');
    if (counted) this.attempts += 1;
    const promise = super.httpRequest(req, { ...options, httpProxy: proxyFor(req.url, this.#env) });
    promise.stream().on('retry', () => {
      if (counted) this.attempts += 1;
    });
    promise.then(
      (response) => this.#observe(response),
      () => undefined,
    );
    return promise;
  }

  #observe(response: HttpResponse): void {
    const date = response.headers.date;
    if (date) {
      const serverTime = Date.parse(date);
      // Date has one-second resolution; only correct for skews that matter against our lag.
      if (!Number.isNaN(serverTime) && Math.abs(serverTime - Date.now()) > 2000) {
        this.clockSkewMs = serverTime - Date.now();
      }
    }
    const retryAfter = response.headers['retry-after'];
    this.lastRetryAfterMs = retryAfter ? parseRetryAfter(retryAfter) : undefined;
  }
}

export function parseRetryAfter(value: string): number | undefined {
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The proxy to use for `url`, honouring NO_PROXY and never proxying loopback. */
export function proxyFor(url: string, env: NodeJS.ProcessEnv): string | undefined {
  let host: string;
  let protocol: string;
  try {
    ({ hostname: host, protocol } = new URL(url));
  } catch {
    return undefined;
  }
  host = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1' || host.startsWith('127.')) return undefined;
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  if (
    noProxy.some(
      (entry) =>
        entry === '*' ||
        host === entry.replace(/^\./, '') ||
        host.endsWith(entry.startsWith('.') ? entry : `.${entry}`),
    )
  ) {
    return undefined;
  }
  const proxy =
    protocol === 'https:'
      ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy)
      : (env.HTTP_PROXY ?? env.http_proxy);
  return proxy || undefined;
}
