import type { Connector } from '../types.ts';
import { HUBSPOT_OBJECTS } from './catalog.ts';
import { diagnoseHubSpot } from './doctor.ts';
import { normalizeHubSpot } from './normalize.ts';
import { openHubSpotSession } from './session.ts';
import { setUpHubSpot } from './setup.ts';
import { HUBSPOT_WRITEBACK_DEFAULTS, toHubSpotValue } from './writeback.ts';

/** HubSpot: @hubspot/api-client over CRM v3/v4 (list, search, batch); scorecards or deal properties for writeback. */
export const hubspotConnector: Connector = {
  provider: 'hubspot',
  objects: HUBSPOT_OBJECTS,
  maxWriteBatch: 100,
  open: (ctx, options) => openHubSpotSession(ctx, { refreshSchema: options?.refreshSchema ?? false }),
  normalize: normalizeHubSpot,
  diagnose: diagnoseHubSpot,
  setUp: setUpHubSpot,
  defaultWritebackFields: HUBSPOT_WRITEBACK_DEFAULTS,
  // Scorecards and deals are both found through the rep's owner id; the queue stand-in has none.
  writebackRecordKey: (rep) => (rep.repId === 'unassigned' ? null : rep.repId),
  toWireValue: toHubSpotValue,
};
