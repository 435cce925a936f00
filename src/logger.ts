import { Writable } from 'node:stream';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { redact, redactString } from './secrets.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** pino level; default `LOG_LEVEL` or 'info'. */
  level?: string;
  /** Human-readable output; default: when stderr is a TTY and LOG_FORMAT is not 'json'. */
  pretty?: boolean;
  /** Where lines go; default stderr (stdout carries command output and --json). */
  destination?: DestinationStream;
}

/**
 * pino, JSON in production and pretty on a terminal. Secrets are masked in every logged object
 * (by key name, at any depth) and in every line (registered secret values, bearer tokens, URL
 * passwords), so a token never reaches a log however it got into the message.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const usePretty = options.pretty ?? (process.stderr.isTTY === true && process.env.LOG_FORMAT !== 'json');
  const sink =
    options.destination ?? (usePretty ? pretty({ destination: 2, sync: true }) : pino.destination(2));
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => redact(object) },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? redactString(arg) : arg)) as Parameters<
              typeof method
            >,
          );
        },
      },
      serializers: { err: (error: unknown) => redact(error) },
    },
    maskLines(sink),
  );
}

// The last net: whatever a serializer produced, a registered secret never leaves the process.
function maskLines(sink: DestinationStream): DestinationStream {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      sink.write(redactString(chunk.toString()));
      callback();
    },
  });
}

/** A logger that drops everything, for library code used without a logger. */
export const silentLogger: Logger = pino({ level: 'silent' });
