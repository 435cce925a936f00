import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerControl, isControlPath } from '../../../emulator-kit/control-api.ts';
import type { ActiveFault } from '../../../emulator-kit/fault-queue.ts';
import { readBody, requestHeaders, writeJson } from '../../../emulator-kit/http-io.ts';
import type { EmulatorStore } from '../emulator-store.ts';
import { OAuthError } from '../oauth-error.ts';
import { SalesforceError } from '../salesforce-error.ts';
import { bulkRoutes } from './bulk-routes.ts';
import { controlRoutes } from './control-routes.ts';
import { defaultFaultBody } from './default-fault-body.ts';
import { metadataRoutes } from './metadata-routes.ts';
import { oauthRoutes } from './oauth-routes.ts';
import { queryRoutes } from './query-routes.ts';
import type { ApiRequest, Reply, Route } from './route.ts';
import { sobjectRoutes } from './sobject-routes.ts';

const ROUTES: Route[] = [...oauthRoutes, ...metadataRoutes, ...queryRoutes, ...sobjectRoutes, ...bulkRoutes];
const NOT_FOUND = new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');

/**
 * The HTTP front of the emulator. Every Salesforce request is logged, may hit a scripted fault,
 * is authenticated, counted against the daily limit, checked against the concurrency limit and
 * then handled; every /services/data response carries `Sforce-Limit-Info`.
 */
export function createEmulatorServer(
  store: EmulatorStore,
  baseUrl: () => string,
  info: () => unknown,
): Server {
  const inFlight = new Set<{ started: number }>();
  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(
        `salesforce emulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      if (!res.headersSent)
        writeJson(
          res,
          500,
          [{ message: 'An unexpected error occurred', errorCode: 'UNKNOWN_EXCEPTION' }],
          {},
        );
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The org's clock, not this machine's: clients derive their sync windows from it.
    res.setHeader('Date', store.clock.now().toUTCString());
    const url = new URL(req.url ?? '/', 'http://emulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = await readBody(req);
    if (isControlPath(url.pathname))
      return answerControl(res, controlRoutes, { store, info, method, url, body });
    const headers = requestHeaders(req);
    const entry = store.requestLog.record({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    });
    res.on('finish', () => (entry.status = res.statusCode));
    const isData = url.pathname.startsWith('/services/data/');
    const limitHeader = (): Record<string, string> =>
      isData ? { 'Sforce-Limit-Info': `api-usage=${store.usage.used()}/${store.usage.limit}` } : {};

    const fault = store.faults.take(method, url.pathname + url.search);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.dropConnection) return void req.socket.destroy();
    if (fault?.status !== undefined) {
      if (isData) store.usage.count('fault');
      return writeFault(res, fault, url.pathname.startsWith('/services/oauth2/'), limitHeader());
    }

    let route: Route | undefined;
    let params: string[] = [];
    let pathKnown = false;
    for (const candidate of ROUTES) {
      const match = candidate.pattern.exec(url.pathname);
      if (!match) continue;
      pathKnown = true;
      if (candidate.method === method) {
        route = candidate;
        params = match.slice(1);
        break;
      }
    }
    const bulk = route?.bulk === true;
    const fail = (error: SalesforceError) =>
      writeJson(res, error.status, errorBody(error, bulk), limitHeader());
    if (!route) {
      return fail(
        pathKnown
          ? new SalesforceError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed.`)
          : NOT_FOUND,
      );
    }
    let userId = '';
    if (route.auth === 'bearer') {
      const token =
        /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1] ??
        url.searchParams.get('oauth_token');
      const user = token ? store.tokens.userOf(token) : null;
      if (!user) return fail(new SalesforceError(401, 'INVALID_SESSION_ID', 'Session expired or invalid'));
      userId = user;
    }
    if (route.api) {
      if (store.usage.exhausted())
        return fail(new SalesforceError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
      const now = Date.now();
      let longRunning = 0;
      for (const call of inFlight)
        if (now - call.started >= store.settings.longRunningThresholdMs) longRunning++;
      if (longRunning >= store.settings.concurrentLongRunningLimit) {
        return fail(
          new SalesforceError(403, 'REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.'),
        );
      }
      store.usage.count(route.name);
    }
    const call = { started: Date.now() };
    inFlight.add(call);
    try {
      if (store.settings.latencyMs > 0) await sleep(store.settings.latencyMs);
      const request: ApiRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        params,
        baseUrl: baseUrl(),
        userId,
        store,
      };
      const reply = await route.handle(request);
      await writeReply(res, reply, limitHeader());
    } catch (error) {
      if (error instanceof SalesforceError) return fail(error);
      if (error instanceof OAuthError) return writeJson(res, error.status, error.toBody(), {});
      throw error;
    } finally {
      inFlight.delete(call);
    }
  }
}

function errorBody(error: SalesforceError, bulk: boolean): unknown {
  return bulk ? [{ errorCode: error.errorCode, message: error.message }] : error.toBody();
}

function writeFault(
  res: ServerResponse,
  fault: ActiveFault,
  oauth: boolean,
  headers: Record<string, string>,
): void {
  const status = fault.status!;
  const body = fault.body === undefined ? defaultFaultBody(status, oauth) : fault.body;
  if (typeof body === 'string') {
    res.writeHead(status, {
      'Content-Type': body.trimStart().startsWith('<') ? 'text/html' : 'text/plain',
      ...headers,
      ...fault.headers,
    });
    res.end(body);
    return;
  }
  writeJson(res, status, body, { ...headers, ...fault.headers });
}

async function writeReply(res: ServerResponse, reply: Reply, headers: Record<string, string>): Promise<void> {
  switch (reply.kind) {
    case 'json':
      return writeJson(res, reply.status, reply.body, headers);
    case 'empty':
      res.writeHead(reply.status, headers);
      res.end();
      return;
    case 'csv':
      res.writeHead(reply.status, { 'Content-Type': 'text/csv', ...headers, ...reply.headers });
      for (const chunk of reply.chunks) {
        if (!res.write(chunk)) await once(res, 'drain');
      }
      res.end();
  }
}
