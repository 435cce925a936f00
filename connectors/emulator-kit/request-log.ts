/**
 * Every request the emulator received (control calls excepted), like the observations in spec
 * §12, for tests to assert on. Credentials are masked: the Authorization header, OAuth secrets in
 * form bodies and `oauth_token` in query strings.
 */
export interface LoggedRequest {
  /** Wall-clock time the request arrived. */
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
  /** Filled in when the response is sent. */
  status: number | null;
}

const MASK = '***';
const SECRET_PARAMS = ['password', 'client_secret', 'refresh_token', 'assertion', 'oauth_token', 'code'];
/** The newest entries are kept; a long-running CLI emulator must not grow without bound. */
const MAX_ENTRIES = 20_000;

export class RequestLog {
  private log: LoggedRequest[] = [];

  record(request: Omit<LoggedRequest, 'at' | 'status'>): LoggedRequest {
    const entry: LoggedRequest = {
      at: new Date().toISOString(),
      method: request.method,
      path: request.path,
      query: maskParams(request.query),
      headers: maskHeaders(request.headers),
      body: maskBody(request.body, request.headers['content-type'] ?? ''),
      status: null,
    };
    this.log.push(entry);
    if (this.log.length > MAX_ENTRIES) this.log.splice(0, this.log.length - MAX_ENTRIES);
    return entry;
  }

  entries(): LoggedRequest[] {
    return [...this.log];
  }

  reset(): void {
    this.log = [];
  }
}

function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const masked = { ...headers };
  if (masked.authorization) masked.authorization = masked.authorization.replace(/^(\S+\s+).*$/, `$1${MASK}`);
  return masked;
}

function maskParams(params: Record<string, string>): Record<string, string> {
  const masked = { ...params };
  for (const name of SECRET_PARAMS) if (name in masked) masked[name] = MASK;
  return masked;
}

function maskBody(body: string, contentType: string): string {
  if (!contentType.startsWith('application/x-www-form-urlencoded')) return body;
  const params = new URLSearchParams(body);
  for (const name of SECRET_PARAMS) if (params.has(name)) params.set(name, MASK);
  return params.toString();
}
