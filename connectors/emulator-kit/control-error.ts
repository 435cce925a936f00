/**
 * A control request (store method or `/__emulator/` route) that cannot be carried out: an unknown
 * object, field or record, or a malformed mutation or fault. The control API answers it with 400.
 */
export class ControlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlError';
  }
}
