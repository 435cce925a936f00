import { ControlError } from '../../../emulator-kit/control-error.ts';
import { ok, sharedControlRoutes, type ControlRoute } from '../../../emulator-kit/control-api.ts';
import type { EmulatorStore } from '../emulator-store.ts';
import type { BulkJobState } from '../query/bulk-jobs.ts';

/** The control API under /__emulator/: the shared routes and Salesforce's own (tokens, schema, bulk, usage). */
export const controlRoutes: ControlRoute<EmulatorStore>[] = [
  ...sharedControlRoutes<EmulatorStore>(),
  { method: 'POST', pattern: /^\/tokens\/expire\/?$/, handle: (r) => (r.store.expireTokens(), ok) },
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
