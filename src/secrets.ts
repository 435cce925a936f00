/**
 * Secret hygiene shared by the logger, error reporting and job payload checks.
 *
 * Two nets: keys whose name says "secret" (token, password, authorization…) are masked wherever
 * they appear in an object, and every secret value attain learns at run time (config credentials,
 * access tokens from OAuth responses) is registered here and masked inside any string.
 */

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /(pass(word)?|secret|token|authorization|auth[-_]?header|assertion|private[-_]?key|api[-_]?key|cookie|signature|credential|webhook[-_]?url)/i;

// Short values would mask innocent text (a 3-character password would blank every "the").
const MIN_SECRET_LENGTH = 6;
const secretValues = new Set<string>();

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) secretValues.add(value);
}

export function redactString(text: string): string {
  let out = text;
  for (const secret of secretValues) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  // Bearer tokens and URL credentials are masked even when attain never saw them registered.
  return out
    .replace(/(bearer\s+)[A-Za-z0-9._~+/!=-]{8,}/gi, `$1${REDACTED}`)
    .replace(/(\/\/[^/\s:@]+:)[^@\s/]+@/g, `$1${REDACTED}@`);
}

/** A deep copy of `value` with secret-named keys and registered secret values masked. */
export function redact<T>(value: T, seen = new WeakMap<object, unknown>()): T {
  if (typeof value === 'string') return redactString(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return seen.get(value) as T;
  if (value instanceof Date) return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(redact(item, seen));
    return copy as T;
  }
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  if (value instanceof Error) {
    copy.type = value.name;
    copy.message = redactString(value.message);
    if (value.stack) copy.stack = redactString(value.stack);
  }
  for (const [key, item] of Object.entries(value)) {
    // Only string values are masked by key name: `tokenTtlSeconds: 3600` is not a secret.
    copy[key] = isSecretKey(key) && typeof item === 'string' && item !== '' ? REDACTED : redact(item, seen);
  }
  return copy as T;
}
