/** Command output goes to stdout: a human summary, or exactly one JSON document with --json. */
export interface Output {
  readonly json: boolean;
  /** Prints `human` lines, or `data` as JSON when --json was given. */
  result(data: unknown, human: () => string): void;
}

export function createOutput(
  json: boolean,
  write: (text: string) => void = (t) => process.stdout.write(t),
): Output {
  return {
    json,
    result(data, human) {
      write(json ? JSON.stringify(data, null, 2) + '\n' : human() + '\n');
    },
  };
}
