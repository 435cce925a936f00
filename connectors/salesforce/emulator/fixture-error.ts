import { AttainError } from '../../../src/errors/attain-error.ts';

/** A `--data` fixture that cannot be loaded; lists the offending object, record and field. Exits 2. */
export class FixtureError extends AttainError {
  constructor(source: string, problem: string) {
    super(`invalid emulator fixture (${source}): ${problem}`, { exitCode: 2 });
  }
}
