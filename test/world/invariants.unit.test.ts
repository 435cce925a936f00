import { describe, expect, it } from 'vitest';
import { generateWorld } from '../../connectors/world/generate.ts';
import type { WorldOptions } from '../../connectors/world/types.ts';
import { worldViolations } from './world-invariants.ts';

describe('world invariants', () => {
  const cases: Array<[string, WorldOptions]> = [
    ['scale 20, New York, calendar fiscal year', { seed: 20, scale: 20, now: '2026-03-04T15:20:00.000Z' }],
    [
      'February fiscal year, London, single currency',
      {
        seed: 7,
        scale: 9,
        now: '2025-11-02T00:30:00.000Z',
        timezone: 'Europe/London',
        fiscalYearStartMonth: 2,
        multiCurrency: false,
      },
    ],
    [
      'April fiscal year, Sydney, now on a quarter boundary',
      {
        seed: 99,
        scale: 6,
        now: '2026-04-01T02:00:00.000Z',
        timezone: 'Australia/Sydney',
        fiscalYearStartMonth: 4,
      },
    ],
  ];
  it.each(cases)('%s', (_name, options) => {
    expect(worldViolations(generateWorld(options))).toEqual([]);
  });

  it('builds two levels of management with realistic spans of control', () => {
    const world = generateWorld({ seed: 4, scale: 60, now: '2026-03-04T15:20:00.000Z' });
    const reportsOf = (key: number) => world.users.filter((user) => user.managerKey === key);
    const managers = world.users.filter((user) => user.role === 'manager');
    const directors = world.users.filter((user) => user.role === 'director');
    for (const manager of managers) expect(reportsOf(manager.key).length).toBeGreaterThanOrEqual(4);
    for (const manager of managers) expect(reportsOf(manager.key).length).toBeLessThanOrEqual(12);
    for (const director of directors)
      expect(reportsOf(director.key).every((user) => user.role === 'manager')).toBe(true);
    expect(managers.length).toBeGreaterThanOrEqual(6);
    expect(directors.length).toBeGreaterThanOrEqual(1);
    expect(world.users.filter((user) => user.role === 'admin')).toHaveLength(1);
    expect(world.users.filter((user) => user.role === 'integration')).toHaveLength(1);
    const owners = new Set([
      ...world.opportunities.map((o) => o.ownerUserKey),
      ...world.calls.map((c) => c.ownerUserKey),
      ...world.leads.map((l) => l.ownerUserKey),
    ]);
    for (const user of world.users.filter((u) => u.role !== 'rep')) expect(owners.has(user.key)).toBe(false);
  });
});
