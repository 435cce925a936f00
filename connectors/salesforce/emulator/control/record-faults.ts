import { ControlError } from '../../../emulator-kit/control-error.ts';
import { toCaseSafeId } from '../ids.ts';

/**
 * Per-record write failures: the next `times` API writes to record `id` fail with `statusCode`
 * (e.g. UNABLE_TO_LOCK_ROW, FIELD_CUSTOM_VALIDATION_EXCEPTION) while the rest of the batch is
 * judged on its merits — what a trigger or a row lock does in a real org.
 */
export interface RecordFaultSpec {
  id: string;
  statusCode: string;
  message?: string;
  /** Default 1. */
  times?: number;
}

export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

const DEFAULT_MESSAGES: Record<string, string> = {
  UNABLE_TO_LOCK_ROW: 'unable to obtain exclusive access to this record or 1 records: {id}',
  FIELD_CUSTOM_VALIDATION_EXCEPTION: 'Record failed a validation rule',
  INSUFFICIENT_ACCESS_OR_READONLY: 'insufficient access rights on object id',
};

export class RecordFaults {
  private readonly faults = new Map<string, { statusCode: string; message: string; remaining: number }>();

  add(spec: RecordFaultSpec): void {
    const id = typeof spec.id === 'string' ? toCaseSafeId(spec.id) : null;
    if (!id) throw new ControlError(`record fault id '${String(spec.id)}' is not a Salesforce id`);
    if (typeof spec.statusCode !== 'string' || !spec.statusCode)
      throw new ControlError('record fault needs a statusCode');
    const message =
      spec.message ?? (DEFAULT_MESSAGES[spec.statusCode] ?? spec.statusCode).replace('{id}', id);
    this.faults.set(id, { statusCode: spec.statusCode, message, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.faults.clear();
  }

  /** The error a write to `id` fails with now, if one is scripted (consumed once). */
  take(id: string): RecordError | null {
    const fault = this.faults.get(id);
    if (!fault) return null;
    if (--fault.remaining <= 0) this.faults.delete(id);
    return { statusCode: fault.statusCode, message: fault.message, fields: [] };
  }
}
