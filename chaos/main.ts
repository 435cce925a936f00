/**
 * `npm run chaos [-- --seed N --scale N --duration SECONDS --json]`: the fault suite (run-chaos.ts).
 * Prints what it injected and what it verified; exits 0 when the end state has no difference, 1
 * when it has one, 2 on bad usage. Needs the local PostgreSQL (like the tests) and `redis-server`.
 */
import { parseArgs } from 'node:util';
import { runChaos } from './run-chaos.ts';

const USAGE =
  'usage: npm run chaos -- [--seed N] [--scale REPS] [--duration SECONDS] [--json]\n' +
  '  defaults: a new seed each run (printed, for replay), scale 20, 90 s of faults';

function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return number;
}

let options: { seed: number; scale: number; durationSeconds: number; json: boolean };
try {
  const { values, positionals } = parseArgs({
    options: {
      seed: { type: 'string' },
      scale: { type: 'string' },
      duration: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
  options = {
    seed: positiveInteger('seed', values.seed, 1 + (Date.now() % 999_999)),
    scale: positiveInteger('scale', values.scale, 20),
    durationSeconds: positiveInteger('duration', values.duration, 90),
    json: values.json,
  };
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}

// With --json the log goes to stderr and stdout carries only the report.
const log = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
try {
  const report = await runChaos({
    seed: options.seed,
    scale: options.scale,
    durationSeconds: options.durationSeconds,
    log,
  });
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(report.differences.length === 0 ? 0 : 1);
} catch (error) {
  // The harness itself could not run (no PostgreSQL, no redis-server…): no verdict, exit 1.
  process.stderr.write(`chaos: could not run: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
