import { deriveSeed, Random } from '../connectors/world/random.ts';

/** The faults the chaos run injects; every one of them happens at least once per run. */
export const FAULT_KINDS = [
  'kill-worker',
  'redis-restart',
  'postgres-outage',
  'crm-429-storm',
  'crm-5xx-storm',
  'token-expiry',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  /** Milliseconds after the chaos window opens. */
  atMs: number;
  kind: FaultKind;
  /** The fault's own random stream (how long, which worker, how many errors). */
  random: Random;
}

/** One fault every this many milliseconds on average, beyond the one of each kind. */
const MEAN_GAP_MS = 4000;

/**
 * When each fault happens, from the seed alone: each kind once, plus more at random the longer the
 * window, in a shuffled order at sorted random instants. The last tenth of the window stays free
 * of new faults, so the final ones have time to play out before the settle phase.
 */
export function planFaults(seed: number, durationMs: number): PlannedFault[] {
  const random = new Random(deriveSeed(seed, 'chaos-plan'));
  const count = Math.max(FAULT_KINDS.length, Math.round(durationMs / MEAN_GAP_MS));
  const kinds: FaultKind[] = [...FAULT_KINDS];
  while (kinds.length < count) kinds.push(random.pick(FAULT_KINDS));
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [kinds[i], kinds[j]] = [kinds[j]!, kinds[i]!];
  }
  const times = kinds.map(() => Math.round(random.range(0.05, 0.9) * durationMs)).sort((a, b) => a - b);
  return kinds.map((kind, index) => ({
    atMs: times[index]!,
    kind,
    random: new Random(deriveSeed(seed, 'chaos-fault', index)),
  }));
}
