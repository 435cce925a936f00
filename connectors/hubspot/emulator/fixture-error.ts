import { AttainError } from '../../../src/errors/attain-error.ts';

/** A `--data` fixture that cannot be loaded (unreadable, bad shape, bad value); exits 2. */
export class FixtureError extends AttainError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
  }
}
