import type { Connection, Schema } from 'jsforce';
import { HttpApi } from 'jsforce/lib/http-api.js';
import pRetry from 'p-retry';
import type { Logger } from '../../src/logger.ts';
import type { CrmRateLimiter } from '../../src/rate-limit.ts';
import { parseBulkCsv, type BulkCsvPage } from './bulk-csv.ts';
import { classifySalesforceError, toAttainError } from './classify-error.ts';
import type { ObjectInfo } from './describe.ts';
import type { SalesforceSyncSettings } from './settings.ts';
import type { CountingTransport } from './transport.ts';

/** One object's extraction query: its fields, cursor field and filter, resolved against describe. */
export interface ObjectQuery {
  object: string;
  fields: string[];
  modstampField: string;
  where: string | undefined;
  info: ObjectInfo;
}

/** How often attain itself retries a POST (jsforce retries GETs, never POST/PATCH), or a dropped GET. */
export const POST_RETRIES = 3;

/**
 * The Salesforce calls extraction and writeback make, over one authenticated jsforce Connection.
 * GETs rely on jsforce (refresh on 401, five retries on 429/5xx and the network errors it knows),
 * plus our repeat of a dropped keep-alive connection; POST and PATCH, which jsforce never retries,
 * get our own retry for retryable failures.
 */
export class SalesforceApi {
  readonly conn: Connection;
  readonly transport: CountingTransport;
  readonly logger: Logger;
  readonly settings: SalesforceSyncSettings;
  readonly queryHeaders: Record<string, string>;
  readonly signal: AbortSignal;
  #records = 0;
  readonly #retryDelayMs: number;
  readonly #limiter: CrmRateLimiter;
  readonly #connectionId: string;

  constructor(options: {
    connectionId: string;
    rateLimiter: CrmRateLimiter;
    conn: Connection;
    transport: CountingTransport;
    logger: Logger;
    settings: SalesforceSyncSettings;
    signal: AbortSignal;
    /** Base delay of attain's own POST retries (doubles each attempt). */
    retryDelayMs?: number;
  }) {
    this.conn = options.conn;
    this.transport = options.transport;
    this.logger = options.logger;
    this.settings = options.settings;
    this.signal = options.signal;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#limiter = options.rateLimiter;
    this.#connectionId = options.connectionId;
    this.queryHeaders = { 'Sforce-Query-Options': `batchSize=${options.settings.queryBatchSize}` };
  }

  async get<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
    return this.#reconnecting(async () => {
      await this.#limiter.acquire(this.#connectionId);
      return this.conn
        .request<T>({ method: 'GET', url, headers })
        .catch((error: unknown) => this.#backOff(error));
    });
  }

  /**
   * Repeats a GET whose connection dropped before any answer came: a pooled keep-alive
   * connection the server (or a load balancer) closed while it sat idle. jsforce retries only
   * errors it recognises by code, and undici's "other side closed" is not one of them.
   */
  #reconnecting<T>(request: () => Promise<T>): Promise<T> {
    return pRetry(request, {
      retries: POST_RETRIES,
      minTimeout: 50,
      signal: this.signal,
      shouldRetry: ({ error }) => isDroppedConnection(error),
      onFailedAttempt: ({ error, attemptNumber }) =>
        this.logger.debug({ attempt: attemptNumber, err: error }, 'connection dropped, repeating the GET'),
    });
  }

  /** Shares a CRM back-off request with every process, then rethrows. */
  async #backOff(error: unknown): Promise<never> {
    const retryAfter = this.retryAfterMs();
    if (retryAfter && classifySalesforceError(error).kind === 'unavailable')
      await this.#limiter.backOff(this.#connectionId, retryAfter);
    throw error;
  }

  /** A JSON write (POST/PATCH/DELETE), retried on 429, 5xx and network errors. */
  send<T>(method: 'POST' | 'PATCH' | 'DELETE', url: string, body: unknown, what: string): Promise<T> {
    return pRetry(
      async () => {
        await this.#limiter.acquire(this.#connectionId);
        return this.conn
          .request<T>({
            method,
            url,
            headers: { 'Content-Type': 'application/json' },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          })
          .catch((error: unknown) => this.#backOff(error));
      },
      {
        retries: POST_RETRIES,
        minTimeout: this.#retryDelayMs,
        factor: 2,
        randomize: true,
        signal: this.signal,
        shouldRetry: ({ error }) => classifySalesforceError(error).kind === 'unavailable',
        onFailedAttempt: ({ error, attemptNumber }) =>
          this.logger.warn(
            { what, attempt: attemptNumber, code: classifySalesforceError(error).code },
            'retrying',
          ),
      },
    ).catch((error: unknown) => {
      throw toAttainError(error, what, this.retryAfterMs());
    });
  }

  /** A Bulk 2.0 results page as CSV rows under their header, plus the response headers (locator). */
  async csvPage(url: string): Promise<BulkCsvPage & { headers: Record<string, string> }> {
    return this.#reconnecting(async () => {
      await this.#limiter.acquire(this.#connectionId);
      const api = new RawCsvHttpApi(this.conn, {});
      let headers: Record<string, string> = {};
      api.on('response', (response: { headers: Record<string, string> }) => {
        headers = response.headers;
      });
      const body = await api.request<string>({
        method: 'GET',
        url: this.conn._normalizeUrl(url),
        headers: { Accept: 'text/csv' },
      });
      return { ...parseBulkCsv(body), headers };
    });
  }

  serverNow(): Date {
    return new Date(Date.now() + this.transport.clockSkewMs);
  }

  retryAfterMs(): number | undefined {
    return this.transport.lastRetryAfterMs;
  }

  throwIfAborted(): void {
    this.signal.throwIfAborted();
  }

  countRecords(count: number): void {
    this.#records += count;
  }

  get recordsRead(): number {
    return this.#records;
  }
}

/** jsforce's HttpApi, handing CSV bodies over as text (parseBulkCsv reads them; errors stay JSON). */
class RawCsvHttpApi extends HttpApi<Schema> {
  override getResponseContentType(response: Parameters<HttpApi<Schema>['getResponseContentType']>[0]) {
    const type = super.getResponseContentType(response);
    return type && /^text\/csv(;|$)/.test(type) ? 'text/plain' : type;
  }
}

/** undici's `fetch failed` caused by a socket closed before the response (not a timeout, not a refusal). */
function isDroppedConnection(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return (
    error instanceof TypeError &&
    (cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'ECONNRESET' || cause?.code === 'EPIPE')
  );
}
