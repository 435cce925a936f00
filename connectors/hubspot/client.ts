import { Client } from '@hubspot/api-client';
import type { HubSpotCredentials } from './settings.ts';

/** What the transport saw: HTTP attempts, the server's clock, the last rate-limit headers. */
export class TransportObserver {
  attempts = 0;
  /** Server time minus local time, from the Date headers (ms; a lower bound). */
  clockSkewMs = 0;
  /** Whether any answer (and so the server's clock) has been seen. */
  answered = false;
  daily: { used: number; limit: number } | null = null;

  request(): void {
    this.attempts += 1;
  }

  response(headers: Record<string, string>): void {
    const date = headers.date ? Date.parse(headers.date) : NaN;
    if (!Number.isNaN(date)) {
      // Date has one-second resolution and is never ahead of the server's clock, so each answer
      // bounds the skew from below: keep the highest bound, unless the server's clock went back.
      const observed = date - Date.now();
      if (!this.answered || observed > this.clockSkewMs || this.clockSkewMs - observed > 2000)
        this.clockSkewMs = observed;
    }
    this.answered = true;
    const limit = Number(headers['x-hubspot-ratelimit-daily']);
    const remaining = Number(headers['x-hubspot-ratelimit-daily-remaining']);
    if (limit > 0 && Number.isFinite(remaining)) this.daily = { used: limit - remaining, limit };
  }
}

/** The API objects attain uses, bound when the client is built (see below). */
export interface HubSpotApis {
  objects: Client['crm']['objects'];
  owners: Client['crm']['owners']['ownersApi'];
  pipelines: Client['crm']['pipelines']['pipelinesApi'];
  properties: Client['crm']['properties']['coreApi'];
  propertyGroups: Client['crm']['properties']['groupsApi'];
  associations: Client['crm']['associations']['v4']['batchApi'];
  schemas: Client['crm']['schemas']['coreApi'];
}

/**
 * The real @hubspot/api-client with its own retries and limiter off (spec §0.5, §1.1): attain
 * throttles and retries itself, per portal. The client's retry settings are process-global and
 * captured by each API object when it is first touched (spec §0.6), so every API object attain
 * uses is touched right here, while this client's (empty) decorators are the current ones; a
 * client built later with retries cannot change them. Middleware counts every HTTP attempt and
 * reads the Date and X-HubSpot-RateLimit-* headers.
 */
export function createHubSpotApis(credentials: HubSpotCredentials, observer: TransportObserver): HubSpotApis {
  const client = new Client({
    accessToken: credentials.accessToken,
    basePath: credentials.basePath,
    numberOfApiCallRetries: 0,
    middleware: [
      {
        pre: (context: unknown) => {
          observer.request();
          return context;
        },
        post: (context: unknown) => {
          observer.response((context as { headers?: Record<string, string> }).headers ?? {});
          return context;
        },
      },
    ],
  });
  return {
    objects: client.crm.objects,
    owners: client.crm.owners.ownersApi,
    pipelines: client.crm.pipelines.pipelinesApi,
    properties: client.crm.properties.coreApi,
    propertyGroups: client.crm.properties.groupsApi,
    associations: client.crm.associations.v4.batchApi,
    schemas: client.crm.schemas.coreApi,
  };
}
