import { ControlError } from '../../../emulator-kit/control-error.ts';
import { ok, sharedControlRoutes, type ControlRoute } from '../../../emulator-kit/control-api.ts';
import type { EmulatorSettings } from '../options.ts';
import type { PortalStore } from '../portal-store.ts';

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

/** The control API under /__emulator/: the shared routes and HubSpot's own (settings, usage). */
export const controlRoutes: ControlRoute<PortalStore>[] = [
  ...sharedControlRoutes<PortalStore>(),
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
