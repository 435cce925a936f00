import { AttainError } from '../../src/errors/attain-error.ts';

/** The options asked of the world generator cannot describe a world (bad seed, scale, time zone…); exits 2. */
export class WorldOptionsError extends AttainError {
  constructor(message: string) {
    super(`invalid world options: ${message}`, { exitCode: 2 });
  }
}
