/**
 * Per-connection throttling of CRM requests. A CRM's limits belong to the account (HubSpot: 190
 * requests per 10 s per portal), not to a process, so the worker plugs in a limiter shared
 * through Redis; inline runs (CLI, demo, tests) use the in-process one.
 */
export interface CrmRateLimiter {
  /** Resolves when one more request to this connection's CRM may be sent. */
  acquire(connectionId: string): Promise<void>;
  /** The CRM asked us to back off (429 + Retry-After): nobody sends to it until then. */
  backOff(connectionId: string, ms: number): Promise<void>;
}

export interface RateLimit {
  /** Requests allowed per interval (sliding window); 0 = unlimited. */
  requests: number;
  intervalMs: number;
}

/** An in-process sliding-window limiter (one process's view; the worker uses a Redis one). */
export class LocalRateLimiter implements CrmRateLimiter {
  readonly #limits: (connectionId: string) => RateLimit;
  readonly #sent = new Map<string, number[]>();
  readonly #blockedUntil = new Map<string, number>();

  constructor(limits: (connectionId: string) => RateLimit) {
    this.#limits = limits;
  }

  async acquire(connectionId: string): Promise<void> {
    const { requests, intervalMs } = this.#limits(connectionId);
    for (;;) {
      const now = Date.now();
      const blocked = (this.#blockedUntil.get(connectionId) ?? 0) - now;
      if (blocked > 0) {
        await delay(blocked);
        continue;
      }
      if (requests <= 0) return;
      const sent = (this.#sent.get(connectionId) ?? []).filter((at) => at > now - intervalMs);
      if (sent.length < requests) {
        sent.push(now);
        this.#sent.set(connectionId, sent);
        return;
      }
      this.#sent.set(connectionId, sent);
      await delay(sent[0]! + intervalMs - now + 1);
    }
  }

  async backOff(connectionId: string, ms: number): Promise<void> {
    const until = Date.now() + ms;
    if (until > (this.#blockedUntil.get(connectionId) ?? 0)) this.#blockedUntil.set(connectionId, until);
  }
}

/** No throttling at all. */
export const unlimited: CrmRateLimiter = { acquire: async () => {}, backOff: async () => {} };

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));
}
