import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { answerControl, isControlPath } from '../../../emulator-kit/control-api.ts';
import type { ActiveFault } from '../../../emulator-kit/fault-queue.ts';
import { readBody, requestHeaders, writeJson as writeJsonBody } from '../../../emulator-kit/http-io.ts';
import { HubSpotError } from '../hubspot-error.ts';
import type { PortalStore } from '../portal-store.ts';
import { associationRoutes } from './association-routes.ts';
import { batchRoutes } from './batch-routes.ts';
import { controlRoutes } from './control-routes.ts';
import { metadataRoutes } from './metadata-routes.ts';
import { objectRoutes } from './object-routes.ts';
import type { ApiRequest, Reply, Route } from './route.ts';

const ROUTES: Route[] = [...batchRoutes, ...objectRoutes, ...metadataRoutes, ...associationRoutes];
const JSON_TYPE = 'application/json;charset=utf-8';
const AUTH_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

/**
 * The HTTP front of the emulator. Every request is logged, may hit a scripted fault, must carry
 * an accepted Bearer token, passes the rate limits (10-second, per-second search, daily), is
 * counted, and is then handled; every answer with a body is JSON with the rate-limit headers.
 */
export function createEmulatorServer(store: PortalStore, baseUrl: () => string, info: () => unknown): Server {
  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      process.stderr.write(
        `hubspot emulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      if (!res.headersSent) writeError(res, new HubSpotError(500, 'INTERNAL_ERROR', 'internal error'), {});
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
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

    // HubSpot's headers: the portal clock (so clients see the emulator's time) and the rate limits.
    const portalHeaders = () => ({ Date: store.clock.now().toUTCString(), ...store.rateLimits.headers() });
    const fault = store.faults.take(method, url.pathname + url.search);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.dropConnection) return void req.socket.destroy();
    if (fault?.status !== undefined) {
      store.usage.count('fault');
      return writeFault(res, fault, portalHeaders());
    }

    // HubSpot ignores one trailing slash (the client calls /crm/v3/owners/).
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, '') : url.pathname;
    let route: Route | undefined;
    let params: string[] = [];
    for (const candidate of ROUTES) {
      const match = candidate.method === method ? candidate.pattern.exec(path) : null;
      if (match) {
        route = candidate;
        params = match.slice(1).map(decodeURIComponent);
        break;
      }
    }
    const token = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
    if (!token || !store.settings.accessTokens.includes(token))
      return writeError(res, new HubSpotError(401, 'INVALID_AUTHENTICATION', AUTH_MESSAGE), {});
    if (!route) return writeError(res, new HubSpotError(404, 'OBJECT_NOT_FOUND', 'resource not found'), {});
    const limited = store.rateLimits.admit(route.search === true);
    if (limited) {
      store.usage.count('rate_limited');
      return writeError(res, limited, portalHeaders());
    }
    store.usage.count(route.name);
    if (store.settings.latencyMs > 0) await sleep(store.settings.latencyMs);
    const request: ApiRequest = {
      method,
      path,
      query: url.searchParams,
      body,
      params,
      baseUrl: baseUrl(),
      store,
    };
    let reply: Reply;
    try {
      reply = route.handle(request);
    } catch (error) {
      if (error instanceof HubSpotError) return writeError(res, error, portalHeaders());
      throw error;
    }
    writeReply(res, reply, portalHeaders());
  }
}

/** HubSpot spells the charset in lower case. */
function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): void {
  writeJsonBody(res, status, body, { 'Content-Type': JSON_TYPE, ...headers });
}

function writeError(res: ServerResponse, error: HubSpotError, headers: Record<string, string>): void {
  const correlationId = randomUUID();
  writeJson(res, error.status, error.toBody(correlationId), {
    ...headers,
    ...error.headers,
    'X-HubSpot-Correlation-Id': correlationId,
  });
}

function writeReply(res: ServerResponse, reply: Reply, headers: Record<string, string>): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  writeJson(res, reply.status, reply.body, { ...headers, 'X-HubSpot-Correlation-Id': randomUUID() });
}

/**
 * A scripted answer. Without a body, HubSpot's body for the status; a string body is sent as
 * is, with only the fault's headers — no Content-Type unless the fault names one (spec §2.7).
 */
function writeFault(res: ServerResponse, fault: ActiveFault, headers: Record<string, string>): void {
  const status = fault.status!;
  if (typeof fault.body === 'string') {
    res.writeHead(status, { ...fault.headers });
    res.end(fault.body);
    return;
  }
  const body = fault.body === undefined ? defaultFaultBody(status) : fault.body;
  writeJson(res, status, body, { ...headers, ...fault.headers });
}

function defaultFaultBody(status: number): unknown {
  const correlationId = randomUUID();
  if (status === 429)
    return {
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      correlationId,
      policyName: 'TEN_SECONDLY_ROLLING',
      category: 'RATE_LIMITS',
    };
  const [category, message] =
    {
      401: ['INVALID_AUTHENTICATION', AUTH_MESSAGE],
      403: ['MISSING_SCOPES', "This app hasn't been granted all required scopes to make this call."],
      404: ['OBJECT_NOT_FOUND', 'resource not found'],
    }[status] ??
    (status >= 500 ? ['INTERNAL_ERROR', 'internal error'] : ['VALIDATION_ERROR', `HTTP ${status}`]);
  return { status: 'error', message, correlationId, category };
}
