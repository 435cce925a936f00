/**
 * The JWT bearer assertion a client sends to the token endpoint. The emulator holds no
 * certificate, so it checks the shape Salesforce checks first — an RS256 JWT with `iss` (the
 * client id), `sub` (a username) and an unexpired `exp` — and not the signature.
 */
export interface JwtClaims {
  iss: string;
  sub: string;
  aud: string | undefined;
  exp: number;
}

/** The claims of a well-formed RS256 JWT, or null when `assertion` is not one. */
export function readJwtAssertion(assertion: string): JwtClaims | null {
  const parts = assertion.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) return null;
  const header = decodeJson(parts[0]!);
  const payload = decodeJson(parts[1]!);
  if (!header || !payload || header.alg !== 'RS256') return null;
  const { iss, sub, aud, exp } = payload;
  if (typeof iss !== 'string' || typeof sub !== 'string' || typeof exp !== 'number') return null;
  return { iss, sub, aud: typeof aud === 'string' ? aud : undefined, exp };
}

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
