import { Client } from '@hubspot/api-client';
import type { HubSpotEmulator } from '../../../connectors/hubspot/emulator/emulator.ts';

/** The real client against the emulator, with its own retries off (each test decides). */
export function clientFor(emulator: HubSpotEmulator, accessToken = emulator.credentials.accessToken): Client {
  return new Client({ accessToken, basePath: emulator.url });
}

/** What a client call threw: the ApiException's status, raw body and headers. */
export async function failure(call: Promise<unknown>): Promise<{
  code: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  message: string;
}> {
  try {
    await call;
  } catch (error) {
    return error as {
      code: number;
      body: Record<string, unknown>;
      headers: Record<string, string>;
      message: string;
    };
  }
  throw new Error('the call succeeded');
}
