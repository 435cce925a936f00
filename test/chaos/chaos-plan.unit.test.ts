import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, planFaults } from '../../chaos/chaos-plan.ts';

describe('the chaos plan', () => {
  it('has every kind of fault at least once, more the longer the window, all inside its first 90 %', () => {
    for (const [seconds, count] of [
      [10, FAULT_KINDS.length],
      [90, 23],
    ] as const) {
      const plan = planFaults(7, seconds * 1000);
      expect(plan).toHaveLength(count);
      expect(new Set(plan.map((fault) => fault.kind))).toEqual(new Set(FAULT_KINDS));
      const times = plan.map((fault) => fault.atMs);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(Math.min(...times)).toBeGreaterThanOrEqual(seconds * 50);
      expect(Math.max(...times)).toBeLessThanOrEqual(seconds * 900);
    }
  });

  it('is the same for the same seed, down to each fault’s own random choices, and differs for another', () => {
    const shape = (seed: number) =>
      planFaults(seed, 60_000).map((fault) => [fault.atMs, fault.kind, fault.random.next()]);
    expect(shape(11)).toEqual(shape(11));
    expect(shape(12)).not.toEqual(shape(11));
  });
});
