import { describe, expect, it } from 'vitest';
import {
  generateWorld,
  resolveWorldOptions,
  serializeWorld,
  streamWorld,
  worldDigest,
} from '../../connectors/world/generate.ts';
import { WorldOptionsError } from '../../connectors/world/world-options-error.ts';

const NOW = '2026-03-04T15:20:00.000Z';

describe('world determinism', () => {
  it('gives byte-identical output for the same options', () => {
    const first = worldDigest({ seed: 11, scale: 12, now: NOW });
    const second = worldDigest({ seed: 11, scale: 12, now: NOW });
    expect(second).toEqual(first);
    expect(first.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.counts.user).toBeGreaterThan(12);
  });

  it('changes with the seed, the clock and the options', () => {
    const base = worldDigest({ seed: 11, scale: 8, now: NOW }).sha256;
    expect(worldDigest({ seed: 12, scale: 8, now: NOW }).sha256).not.toBe(base);
    expect(worldDigest({ seed: 11, scale: 8, now: '2026-03-05T15:20:00.000Z' }).sha256).not.toBe(base);
    expect(worldDigest({ seed: 11, scale: 8, now: NOW, multiCurrency: false }).sha256).not.toBe(base);
    // Seeds that differ only above 32 bits are different worlds too.
    expect(worldDigest({ seed: 11 + 2 ** 32, scale: 8, now: NOW }).sha256).not.toBe(base);
  });

  it('treats two spellings of the same instant as the same now', () => {
    expect(worldDigest({ seed: 3, scale: 4, now: '2026-03-04T10:20:00-05:00' }).sha256).toBe(
      worldDigest({ seed: 3, scale: 4, now: NOW }).sha256,
    );
  });

  it('builds generateWorld from the concatenation of streamWorld books', () => {
    const options = { seed: 5, scale: 9, now: NOW };
    const world = generateWorld(options);
    const { header, books } = streamWorld(options);
    expect({ options: world.options, org: world.org, users: world.users, queues: world.queues }).toEqual(
      header,
    );
    const collected = [...books()];
    expect(collected.map((book) => book.repKey)).toEqual(
      world.users.filter((user) => user.role === 'rep').map((user) => user.key),
    );
    expect(world.leads).toEqual(collected.flatMap((book) => book.leads));
    expect(world.calls).toEqual(collected.flatMap((book) => book.calls));
    expect(world.emails).toEqual(collected.flatMap((book) => book.emails));
    expect(world.meetings).toEqual(collected.flatMap((book) => book.meetings));
    expect(world.opportunities).toEqual(collected.flatMap((book) => book.opportunities));
    expect(world.opportunityLineItems).toEqual(collected.flatMap((book) => book.opportunityLineItems));
    expect(world.quotes).toEqual(collected.flatMap((book) => book.quotes));
    expect(world.quoteLineItems).toEqual(collected.flatMap((book) => book.quoteLineItems));
    expect(world.quotas).toEqual(collected.flatMap((book) => book.quotas));
    // books() starts over on every call.
    expect([...books()]).toEqual(collected);
  });

  it('serialises canonical NDJSON: sorted keys, header first, then each book', () => {
    const lines = [...serializeWorld({ seed: 2, scale: 2, now: NOW })];
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    const parsed = lines.map((line) => JSON.parse(line) as { kind: string; record: Record<string, unknown> });
    expect(parsed.slice(0, 2).map((line) => line.kind)).toEqual(['options', 'org']);
    expect(parsed.filter((line) => line.kind === 'book')).toHaveLength(2);
    for (const { record } of parsed) {
      const keys = Object.keys(record);
      expect(keys).toEqual([...keys].sort());
    }
    const lead = parsed.find((line) => line.kind === 'lead');
    expect(lines[parsed.indexOf(lead as never)]).toMatch(/^\{"kind":"lead","record":\{"company":/);
  });

  it('resolves defaults and rejects impossible options', () => {
    expect(resolveWorldOptions({ seed: 1, scale: 1, now: NOW })).toEqual({
      seed: 1,
      scale: 1,
      now: NOW,
      timezone: 'America/New_York',
      fiscalYearStartMonth: 1,
      multiCurrency: true,
    });
    for (const bad of [
      { seed: 1.5, scale: 1, now: NOW },
      { seed: 1, scale: 0, now: NOW },
      { seed: 1, scale: 1, now: 'yesterday' },
      { seed: 1, scale: 1, now: NOW, timezone: 'Mars/Olympus' },
      { seed: 1, scale: 1, now: NOW, fiscalYearStartMonth: 13 },
    ])
      expect(() => resolveWorldOptions(bad)).toThrow(WorldOptionsError);
  });
});
