import { inject, describe, expect, it } from 'vitest';
import { FAULT_KINDS } from '../../chaos/chaos-plan.ts';
import { runChaos } from '../../chaos/run-chaos.ts';

/**
 * The fault suite at CI scale: a small org, 20 seconds of faults. The full-size run is
 * `npm run chaos`.
 */
describe('npm run chaos, small', () => {
  it('converges after every kind of fault: warehouse, writeback and digests have no difference', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      seed: 20_260_101,
      scale: 3,
      durationSeconds: 20,
      templateDatabase: inject('templateDatabase'),
      settleTimeoutSeconds: 45,
      log: (line) => lines.push(line),
    });
    // On failure the whole log explains what was injected when.
    expect(report.differences, lines.join('\n')).toEqual([]);
    for (const kind of [...FAULT_KINDS, 'crm-mutations'])
      expect(report.injections.filter((injection) => injection.kind === kind).length, kind).toBeGreaterThan(
        0,
      );
    expect(report.checks.map((check) => check.name)).toEqual([
      'every kind of fault was injected',
      'warehouse equals the CRM ground truth',
      "every rep's CRM fields equal the KPI table",
      'no digest sent twice',
      'runs ended in a sane state',
      'no process crashed, every one stopped cleanly',
    ]);
  }, 120_000);
});
