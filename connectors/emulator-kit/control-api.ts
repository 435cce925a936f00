import type { ServerResponse } from 'node:http';
import type { Clock } from './clock.ts';
import { ControlError } from './control-error.ts';
import type { FaultQueue, FaultSpec } from './fault-queue.ts';
import { writeJson } from './http-io.ts';
import type { RequestLog } from './request-log.ts';

/**
 * The control API under /__emulator/ that both emulators share: faults, record faults, user
 * mutations (now or after a served page), the clock and the request log. It is not the CRM: no
 * auth, no usage counting, no request logging, no faults. Each emulator adds its own routes.
 */

export const CONTROL_PREFIX = '/__emulator';

/** What the shared routes need of an emulator's store; payloads are checked by the store. */
export interface ControlStore {
  clock: Clock;
  faults: FaultQueue;
  requestLog: RequestLog;
  recordFaults: { add(spec: unknown): void; clear(): void };
  pageHooks: { pending(): unknown; clear(): void };
  mutate(mutations: unknown[]): unknown;
  afterPage(hook: unknown): void;
}

export interface ControlRequest<Store> {
  store: Store;
  /** The pattern's capture groups. */
  params: string[];
  query: URLSearchParams;
  body: unknown;
  info: () => unknown;
}

export interface ControlRoute<Store> {
  method: string;
  pattern: RegExp;
  handle(request: ControlRequest<Store>): unknown;
}

export const ok = { ok: true };

/** A body that may be one item or a list of them. */
const list = (body: unknown): unknown[] => (Array.isArray(body) ? body : [body]);

export function isControlPath(pathname: string): boolean {
  return pathname === CONTROL_PREFIX || pathname.startsWith(`${CONTROL_PREFIX}/`);
}

export function sharedControlRoutes<Store extends ControlStore>(): ControlRoute<Store>[] {
  return [
    { method: 'GET', pattern: /^\/?$/, handle: (r) => r.info() },
    { method: 'GET', pattern: /^\/faults\/?$/, handle: (r) => r.store.faults.list() },
    {
      method: 'POST',
      pattern: /^\/faults\/?$/,
      handle: (r) => {
        for (const spec of list(r.body)) r.store.faults.add(spec as FaultSpec);
        return r.store.faults.list();
      },
    },
    { method: 'DELETE', pattern: /^\/faults\/?$/, handle: (r) => (r.store.faults.clear(), ok) },
    {
      method: 'POST',
      pattern: /^\/record-faults\/?$/,
      handle: (r) => {
        for (const spec of list(r.body)) r.store.recordFaults.add(spec);
        return ok;
      },
    },
    { method: 'DELETE', pattern: /^\/record-faults\/?$/, handle: (r) => (r.store.recordFaults.clear(), ok) },
    {
      method: 'POST',
      pattern: /^\/mutations\/?$/,
      handle: (r) => r.store.mutate(list((r.body as { mutations?: unknown })?.mutations ?? r.body)),
    },
    { method: 'GET', pattern: /^\/page-hooks\/?$/, handle: (r) => r.store.pageHooks.pending() },
    { method: 'POST', pattern: /^\/page-hooks\/?$/, handle: (r) => (r.store.afterPage(r.body), ok) },
    { method: 'DELETE', pattern: /^\/page-hooks\/?$/, handle: (r) => (r.store.pageHooks.clear(), ok) },
    {
      method: 'POST',
      pattern: /^\/clock\/advance\/?$/,
      handle: (r) => {
        const seconds = (r.body as { seconds?: unknown })?.seconds;
        if (typeof seconds !== 'number' || !(seconds >= 0))
          throw new ControlError('body must be {"seconds": n ≥ 0}');
        r.store.clock.advance(seconds * 1000);
        return { now: r.store.clock.now().toISOString() };
      },
    },
    { method: 'GET', pattern: /^\/requests\/?$/, handle: (r) => r.store.requestLog.entries() },
    { method: 'DELETE', pattern: /^\/requests\/?$/, handle: (r) => (r.store.requestLog.reset(), ok) },
  ];
}

/** Answers a control request: 200 with the route's result, 400 on a bad body, 404 for no route. */
export function answerControl<Store>(
  res: ServerResponse,
  routes: ControlRoute<Store>[],
  request: { store: Store; info: () => unknown; method: string; url: URL; body: string },
): void {
  const path = request.url.pathname.slice(CONTROL_PREFIX.length);
  for (const route of routes) {
    const match = route.method === request.method ? route.pattern.exec(path) : null;
    if (!match) continue;
    try {
      const body: unknown = request.body ? JSON.parse(request.body) : null;
      const result = route.handle({
        store: request.store,
        params: match.slice(1),
        query: request.url.searchParams,
        body,
        info: request.info,
      });
      return writeJson(res, 200, result ?? null);
    } catch (error) {
      if (error instanceof ControlError || error instanceof SyntaxError)
        return writeJson(res, 400, { error: error.message });
      throw error;
    }
  }
  writeJson(res, 404, { error: `no control route ${request.method} ${request.url.pathname}` });
}
