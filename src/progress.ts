/**
 * A one-line progress display for long work on a terminal (rewritten in place on stderr); silent
 * when stderr is not a TTY or --json is on, so logs and machine output stay clean.
 */
export interface Progress {
  update(text: string): void;
  /** Ends the current line, leaving `text` (if given) printed. */
  done(text?: string): void;
}

export function createProgress(
  enabled: boolean = process.stderr.isTTY === true,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (!enabled) return { update() {}, done() {} };
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      stream.write(`\r\x1b[2K${text.slice(0, (stream.columns || 100) - 1)}`);
      shown = true;
    },
    done(text) {
      if (shown || text) stream.write(`\r\x1b[2K${text ? `${text}\n` : ''}`);
      shown = false;
    },
  };
}
