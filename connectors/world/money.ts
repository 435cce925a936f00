/** Rounds to cents, away from binary noise: 0.1 + 0.2 → 0.3, 1.005 → 1.01. */
export function roundCents(amount: number): number {
  return Math.round((amount + Number.EPSILON * Math.abs(amount)) * 100) / 100;
}
