import { ControlError } from '../../../emulator-kit/control-error.ts';
import type { FaultSpec } from '../../../emulator-kit/fault-queue.ts';
import type { Mutation } from '../control/mutations.ts';
import type { PageHook } from '../control/page-hooks.ts';
import type { RecordFaultSpec } from '../control/record-faults.ts';
import type { EmulatorStore } from '../emulator-store.ts';
import type { BulkJobState } from '../query/bulk-jobs.ts';

/**
 * The control API under /__emulator/ — the HTTP face of the EmulatorStore methods tests use. It
 * is not Salesforce: no auth, no API-usage counting, no request logging, no faults.
 */

export const CONTROL_PREFIX = '/__emulator';

interface ControlRequest {
  store: EmulatorStore;
  params: string[];
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
  { method: 'POST', pattern: /^\/tokens\/expire\/?$/, handle: (r) => (r.store.expireTokens(), ok) },
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
    method: 'DELETE',
    pattern: /^\/schema\/(\w+)\/fields\/(\w+)\/?$/,
    handle: (r) => (r.store.removeField(r.params[0]!, r.params[1]!), ok),
  },
  {
    method: 'PATCH',
    pattern: /^\/schema\/(\w+)\/fields\/(\w+)\/?$/,
    handle: (r) => {
      const updateable = (r.body as { updateable?: unknown })?.updateable;
      if (typeof updateable !== 'boolean') throw new ControlError('body must be {"updateable": true|false}');
      r.store.setFieldUpdateable(r.params[0]!, r.params[1]!, updateable);
      return ok;
    },
  },
  {
    method: 'PUT',
    pattern: /^\/bulk-job-states\/?$/,
    handle: (r) => (r.store.setBulkJobStates((r.body as { states: BulkJobState[] })?.states), ok),
  },
  { method: 'GET', pattern: /^\/requests\/?$/, handle: (r) => r.store.requestLog.entries() },
  { method: 'DELETE', pattern: /^\/requests\/?$/, handle: (r) => (r.store.requestLog.reset(), ok) },
  { method: 'GET', pattern: /^\/usage\/?$/, handle: (r) => r.store.usage.snapshot() },
  { method: 'DELETE', pattern: /^\/usage\/?$/, handle: (r) => (r.store.usage.reset(), ok) },
  {
    method: 'GET',
    pattern: /^\/ground-truth\/?$/,
    handle: (r) => {
      const dump = r.store.groundTruth();
      const only = r.query.get('object');
      if (only === null) return dump;
      const def = r.store.schema.object(only);
      if (!def) throw new ControlError(`unknown sObject '${only}'`);
      return { [def.name]: dump[def.name] };
    },
  },
];
