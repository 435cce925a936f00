import { AttainError } from './attain-error.ts';

/** The command line asks for something that cannot be done as asked; exits 2. */
export class UsageError extends AttainError {
  constructor(message: string) {
    super(message, { exitCode: 2 });
  }
}
