import { ControlError } from '../../../emulator-kit/control-error.ts';
import type { FaultSpec } from '../../../emulator-kit/fault-queue.ts';
import type { Mutation } from '../control/mutations.ts';
import type { PageHook } from '../control/page-hooks.ts';
import type { RecordFaultSpec } from '../control/record-faults.ts';
import type { EmulatorSettings } from '../options.ts';
import type { PortalStore } from '../portal-store.ts';

/**
 * The control API under /__emulator/ — the HTTP face of the PortalStore members tests use. It is
 * not HubSpot: no auth, no rate limits, no usage counting, no request logging, no faults.
 */

export const CONTROL_PREFIX = '/__emulator';

interface ControlRequest {
  store: PortalStore;
  query: URLSearchParams;
  body: unknown;
  info: () => unknown;
}

interface ControlRoute {
  method: string;
  pattern: RegExp;
  handle(request: ControlRequest): unknown;
}

const ok = { ok: true };
const list = <T>(body: unknown): T[] => (Array.isArray(body) ? (body as T[]) : [body as T]);

/** Settings a running emulator may change (rate limits, indexing lag, latency, 429 body form). */
const ADJUSTABLE: ReadonlyArray<keyof EmulatorSettings> = [
  'requestsPer10s',
  'searchPerSecond',
  'dailyApiLimit',
  'searchVisibilityDelayMs',
  'legacyRateLimitBodies',
  'batchNotFound',
  'latencyMs',
];

export const controlRoutes: ControlRoute[] = [
  { method: 'GET', pattern: /^\/?$/, handle: (r) => r.info() },
  { method: 'GET', pattern: /^\/faults\/?$/, handle: (r) => r.store.faults.list() },
  {
    method: 'POST',
    pattern: /^\/faults\/?$/,
    handle: (r) => {
      for (const spec of list<FaultSpec>(r.body)) r.store.faults.add(spec);
      return r.store.faults.list();
    },
  },
  { method: 'DELETE', pattern: /^\/faults\/?$/, handle: (r) => (r.store.faults.clear(), ok) },
  {
    method: 'POST',
    pattern: /^\/record-faults\/?$/,
    handle: (r) => {
      for (const spec of list<RecordFaultSpec>(r.body)) r.store.recordFaults.add(spec);
      return ok;
    },
  },
  { method: 'DELETE', pattern: /^\/record-faults\/?$/, handle: (r) => (r.store.recordFaults.clear(), ok) },
  {
    method: 'POST',
    pattern: /^\/mutations\/?$/,
    handle: (r) => r.store.mutate(list<Mutation>((r.body as { mutations?: unknown })?.mutations ?? r.body)),
  },
  { method: 'GET', pattern: /^\/page-hooks\/?$/, handle: (r) => r.store.pageHooks.pending() },
  {
    method: 'POST',
    pattern: /^\/page-hooks\/?$/,
    handle: (r) => (r.store.afterPage(r.body as PageHook), ok),
  },
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
  {
    method: 'PATCH',
    pattern: /^\/settings\/?$/,
    handle: (r) => {
      const changes = (r.body ?? {}) as Record<string, unknown>;
      for (const [name, value] of Object.entries(changes)) {
        if (!ADJUSTABLE.includes(name as keyof EmulatorSettings))
          throw new ControlError(`setting '${name}' cannot be changed`);
        const current = r.store.settings[name as keyof EmulatorSettings];
        if (typeof value !== typeof current)
          throw new ControlError(`setting '${name}' must be a ${typeof current}`);
      }
      Object.assign(r.store.settings, changes);
      return r.store.settings;
    },
  },
  { method: 'GET', pattern: /^\/requests\/?$/, handle: (r) => r.store.requestLog.entries() },
  { method: 'DELETE', pattern: /^\/requests\/?$/, handle: (r) => (r.store.requestLog.reset(), ok) },
  { method: 'GET', pattern: /^\/usage\/?$/, handle: (r) => r.store.usageSnapshot() },
  {
    method: 'DELETE',
    pattern: /^\/usage\/?$/,
    handle: (r) => (r.store.usage.reset(), r.store.rateLimits.reset(), ok),
  },
  {
    method: 'GET',
    pattern: /^\/ground-truth\/?$/,
    handle: (r) => {
      const only = r.query.get('object');
      if (only === null) return r.store.groundTruth();
      const type = only === 'owners' || only === 'pipelines' ? only : r.store.resolveType(only)?.name;
      if (!type) throw new ControlError(`unknown object type '${only}'`);
      return r.store.groundTruth(type);
    },
  },
];
