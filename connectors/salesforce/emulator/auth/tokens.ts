import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../../../emulator-kit/clock.ts';

interface Session {
  userId: string;
  expiresAtMs: number;
}

/**
 * Access tokens the emulator issued, each valid for `ttlSeconds` of emulator time. A refresh issues
 * a new token and leaves older ones valid (spec §13). `expireAll` ends every session at once, so
 * the next call gets 401 INVALID_SESSION_ID and the client has to refresh.
 */
export class TokenRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly orgId: string;

  constructor(options: { clock: Clock; ttlSeconds: number; orgId: string }) {
    this.clock = options.clock;
    this.ttlMs = options.ttlSeconds * 1000;
    this.orgId = options.orgId;
  }

  issue(userId: string): string {
    // Real tokens are `<org id>!<opaque>`; the 15-character org id prefix makes them recognisable.
    const token = `${this.orgId.slice(0, 15)}!AQ${randomBytes(36).toString('base64url')}`;
    this.sessions.set(token, { userId, expiresAtMs: this.clock.nowMs() + this.ttlMs });
    return token;
  }

  /** The user a valid token belongs to; null for unknown or expired tokens. */
  userOf(token: string): string | null {
    const session = this.sessions.get(token);
    if (!session) return null;
    if (session.expiresAtMs <= this.clock.nowMs()) {
      this.sessions.delete(token);
      return null;
    }
    return session.userId;
  }

  expireAll(): void {
    this.sessions.clear();
  }
}

/** The token response's `signature`: HMAC-SHA256 of id + issued_at keyed by the client secret. */
export function tokenSignature(idUrl: string, issuedAt: string, clientSecret: string): string {
  return createHmac('sha256', clientSecret)
    .update(idUrl + issuedAt)
    .digest('base64');
}
