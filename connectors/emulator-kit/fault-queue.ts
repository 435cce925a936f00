import { ControlError } from './control-error.ts';

/**
 * Scripted failures: the next `times` requests matching `method` and `pathRegex` (tested against
 * path + query string) are answered with `status` and `body` after `delayMs`. Without a `status`
 * the fault only delays the request, which then runs normally.
 */
export interface FaultSpec {
  method?: string;
  pathRegex?: string;
  /** How many matching requests fail; default 1. */
  times?: number;
  status?: number;
  /** JSON value or raw string; default: the body the CRM sends with that status. */
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  /**
   * Close the connection without answering (after `delayMs`), as a server or load balancer
   * does with an idle keep-alive connection. Overrides `status`.
   */
  dropConnection?: boolean;
}

export interface ActiveFault extends FaultSpec {
  remaining: number;
}

export class FaultQueue {
  private faults: Array<ActiveFault & { pattern: RegExp | null }> = [];

  add(spec: FaultSpec): void {
    if (
      spec.status !== undefined &&
      (!Number.isInteger(spec.status) || spec.status < 100 || spec.status > 599)
    ) {
      throw new ControlError(`fault status must be an HTTP status, got ${String(spec.status)}`);
    }
    this.faults.push({ ...spec, remaining: spec.times ?? 1, pattern: compile(spec.pathRegex) });
  }

  list(): ActiveFault[] {
    return this.faults.map(({ pattern: _pattern, ...fault }) => fault);
  }

  clear(): void {
    this.faults = [];
  }

  /** The first pending fault matching the request, consumed once. */
  take(method: string, target: string): ActiveFault | null {
    const fault = this.faults.find(
      (f) => (!f.method || f.method.toUpperCase() === method) && (!f.pattern || f.pattern.test(target)),
    );
    if (!fault) return null;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return fault;
  }
}

function compile(pathRegex: string | undefined): RegExp | null {
  if (pathRegex === undefined) return null;
  try {
    return new RegExp(pathRegex);
  } catch (error) {
    throw new ControlError(`fault pathRegex is not a regular expression: ${(error as Error).message}`);
  }
}
