import { ControlError } from '../../../emulator-kit/control-error.ts';

/**
 * Per-record batch write failures: the next `times` batch writes (update, upsert, create) of
 * record `id` (for upsert: the idProperty value) are answered as a 207 error entry of `category`,
 * while the rest of the batch succeeds — what a validation rule or a locked record does.
 */
export interface RecordFaultSpec {
  id: string;
  object?: string;
  category?: string;
  message?: string;
  /** Default 1. */
  times?: number;
}

export interface RecordError {
  category: string;
  message: string;
}

export class RecordFaults {
  private faults: Array<Required<Omit<RecordFaultSpec, 'object'>> & { object: string | null }> = [];

  add(spec: RecordFaultSpec): void {
    if (typeof spec.id !== 'string' || spec.id === '') throw new ControlError('record fault needs an id');
    this.faults.push({
      id: spec.id,
      object: spec.object ?? null,
      category: spec.category ?? 'VALIDATION_ERROR',
      message: spec.message ?? `Record ${spec.id} failed a validation rule`,
      times: spec.times ?? 1,
    });
  }

  clear(): void {
    this.faults = [];
  }

  /** The error a write of `id` fails with now, if one is scripted (consumed once). */
  take(object: string, id: string): RecordError | null {
    const fault = this.faults.find((f) => f.id === id && (f.object === null || f.object === object));
    if (!fault) return null;
    if (--fault.times <= 0) this.faults = this.faults.filter((f) => f !== fault);
    return { category: fault.category, message: fault.message };
  }
}
