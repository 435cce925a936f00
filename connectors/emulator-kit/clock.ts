/**
 * An emulator's clock. It starts at the configured `now` (the world's "now") and runs in real
 * time from there, so writes get fresh modification stamps while the world stays reproducible;
 * `advance` moves it forward (token, cursor and rate-limit expiry without waiting).
 */
export class Clock {
  private readonly startedAt = Date.now();
  private offsetMs: number;

  constructor(now: Date) {
    this.offsetMs = now.getTime() - this.startedAt;
  }

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  /** Whole seconds only: Salesforce stamps (SystemModstamp, CreatedDate) carry no milliseconds. */
  nowSecondsMs(): number {
    return Math.floor(this.nowMs() / 1000) * 1000;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
