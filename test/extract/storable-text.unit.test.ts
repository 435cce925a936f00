import { describe, expect, it } from 'vitest';
import type { LandingRecord } from '../../connectors/types.ts';
import { mayHoldUnstorableText, repairText } from '../../src/extract/storable-text.ts';

const record = (crmId: string, data: Record<string, unknown>): LandingRecord => ({
  crmId,
  modstamp: null,
  isDeleted: false,
  data,
});

describe('text PostgreSQL cannot store', () => {
  it('is spotted in a page’s JSON by the escapes JSON.stringify writes for it, and only there', () => {
    expect(mayHoldUnstorableText(JSON.stringify({ a: 'x\u0000y' }))).toBe(true);
    expect(mayHoldUnstorableText(JSON.stringify({ a: 'x\ud800y' }))).toBe(true);
    expect(mayHoldUnstorableText(JSON.stringify({ a: 'x\udfffy' }))).toBe(true);
    // Paired surrogates (emoji), other control characters, RTL text: all storable.
    expect(mayHoldUnstorableText(JSON.stringify({ a: '🚀 \u001b[0m صفقة \t' }))).toBe(false);
  });

  it('is replaced by U+FFFD, nested values included, and each repaired field is named', () => {
    const clean = record('b', { Name: 'fine 🚀' });
    const { records, repairs } = repairText([
      record('a', {
        Name: 'nul\u0000 and lone \ud800 and pair 🚀',
        Amount: 5,
        Nested: { deep: ['ok', 'x\udc00'] },
        ['Key\u0000']: 'value',
      }),
      clean,
    ]);
    expect(records[0]!.data).toEqual({
      Name: 'nul\ufffd and lone \ufffd and pair 🚀',
      Amount: 5,
      Nested: { deep: ['ok', 'x\ufffd'] },
      ['Key\ufffd']: 'value',
    });
    expect(repairs).toEqual([
      { crmId: 'a', field: 'Name' },
      { crmId: 'a', field: 'Nested' },
      { crmId: 'a', field: 'Key\ufffd' },
    ]);
    // Untouched values stay the same objects.
    expect(records[1]!.data.Name).toBe(clean.data.Name);
  });
});
