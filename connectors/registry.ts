import { hubspotConnector } from './hubspot/index.ts';
import { salesforceConnector } from './salesforce/index.ts';
import type { Connector } from './types.ts';

const connectors: Record<string, Connector> = {
  salesforce: salesforceConnector,
  hubspot: hubspotConnector,
};

/** The connector for a configured provider. */
export function connectorFor(provider: string): Connector {
  const connector = connectors[provider];
  if (!connector) throw new Error(`no connector for provider "${provider}"`);
  return connector;
}
