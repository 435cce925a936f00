import type { Connector } from '../types.ts';
import { SALESFORCE_CATALOG } from './catalog.ts';
import { diagnoseSalesforce } from './doctor.ts';
import { normalizeSalesforce } from './normalize.ts';
import { openSalesforceSession } from './session.ts';
import { SALESFORCE_WRITEBACK_DEFAULTS, toSalesforceValue } from './writeback.ts';

/** Salesforce: jsforce over REST and Bulk API 2.0; sObject Collections for writeback. */
export const salesforceConnector: Connector = {
  provider: 'salesforce',
  objects: SALESFORCE_CATALOG.map((entry) => entry.name),
  maxWriteBatch: 200,
  open: (ctx, options) => openSalesforceSession(ctx, { refreshDescribe: options?.refreshSchema ?? false }),
  normalize: normalizeSalesforce,
  diagnose: diagnoseSalesforce,
  defaultWritebackFields: SALESFORCE_WRITEBACK_DEFAULTS,
  // A rep is a Salesforce User: KPIs go on the rep's own record.
  writebackRecordKey: (rep) => rep.crmUserId,
  toWireValue: toSalesforceValue,
};
