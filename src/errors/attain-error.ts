/**
 * Base class for errors attain raises on purpose. `exitCode` is what the CLI exits with when the
 * error reaches it: 1 for a failure, 2 for bad usage or bad configuration.
 */
export class AttainError extends Error {
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? 1;
  }
}
