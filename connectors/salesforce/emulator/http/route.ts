import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorStore } from '../emulator-store.ts';
import { SalesforceError } from '../salesforce-error.ts';

/** One request as the route handlers see it. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** Captures of the route pattern. */
  params: string[];
  /** The emulator's base URL (`http://127.0.0.1:PORT`). */
  baseUrl: string;
  /** The authenticated user; set for routes with `auth: 'bearer'`. */
  userId: string;
  store: EmulatorStore;
}

export type Reply =
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'empty'; status: number }
  | { kind: 'csv'; status: number; headers: Record<string, string>; chunks: Iterable<string> };

/**
 * A Salesforce endpoint. `api` routes live under /services/data and count against the daily
 * limit; `bulk` routes render errors in the Bulk 2.0 shape (no `fields`).
 */
export interface Route {
  name: string;
  method: string;
  pattern: RegExp;
  auth: 'bearer' | 'none';
  api: boolean;
  bulk?: boolean;
  handle(request: ApiRequest): Reply | Promise<Reply>;
}

export function json(body: unknown, status = 200): Reply {
  return { kind: 'json', status, body };
}

/** The version path of a /services/data/vNN.N/… request, e.g. '/services/data/v59.0'. */
export function versionPath(request: ApiRequest): string {
  return /^\/services\/data\/v\d+\.\d/.exec(request.path)?.[0] ?? '/services/data/v59.0';
}

/** Parses a JSON request body; Salesforce answers malformed JSON with 400 JSON_PARSER_ERROR. */
export function jsonBody(request: ApiRequest): unknown {
  try {
    return JSON.parse(request.body);
  } catch (error) {
    throw new SalesforceError(400, 'JSON_PARSER_ERROR', `Unexpected character: ${(error as Error).message}`);
  }
}
