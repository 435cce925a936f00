import type { PortalStore } from '../portal-store.ts';
import { validationError } from '../hubspot-error.ts';

/** One API request as the route handlers see it. */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  /** Captures of the route pattern. */
  params: string[];
  /** The emulator's base URL (`http://127.0.0.1:PORT`). */
  baseUrl: string;
  store: PortalStore;
}

/** A JSON answer, or an empty one (204) when `body` is undefined. */
export interface Reply {
  status: number;
  body?: unknown;
}

/** A HubSpot endpoint; `search` routes also count against the per-second search limit. */
export interface Route {
  name: string;
  method: string;
  pattern: RegExp;
  search?: boolean;
  handle(request: ApiRequest): Reply;
}

export function json(body: unknown, status = 200): Reply {
  return { status, body };
}

/** A JSON request body; malformed JSON is HubSpot's 400 "Invalid input JSON". */
export function jsonBody(request: ApiRequest): Record<string, unknown> {
  if (request.body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(request.body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch (error) {
    throw validationError(`Invalid input JSON on line 1: ${(error as Error).message}`);
  }
  throw validationError('Invalid input JSON: expected an object');
}

/** An array query parameter: repeated (`?p=a&p=b`), comma-separated (`?p=a,b`) or both. */
export function listParam(query: URLSearchParams, name: string): string[] {
  return query
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
}

export function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  if (text === null || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw validationError(`${name} must be a non-negative integer, got '${text}'`);
  return value;
}
