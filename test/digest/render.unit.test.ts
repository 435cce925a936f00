import { describe, expect, it } from 'vitest';
import { createFormatter } from '../../src/digest/format.ts';
import { barSegments, renderHtml } from '../../src/digest/render-html.ts';
import { renderSlack, SLACK_LIMITS } from '../../src/digest/render-slack.ts';
import { renderText } from '../../src/digest/render-text.ts';
import { digest, quarter, rep } from './digest-builders.ts';

const fmt = createFormatter({ locale: 'en-US', currency: 'USD' });

describe('attainment bars', () => {
  const total = (segments: { width: number }[]) => segments.reduce((sum, segment) => sum + segment.width, 0);

  it('fill up to attainment, with the pace marker where a linear pace would be', () => {
    expect(barSegments(0.25, 0.5, 100)).toEqual([
      { kind: 'fill', width: 25 },
      { kind: 'track', width: 25 },
      { kind: 'marker', width: 2 },
      { kind: 'track', width: 48 },
    ]);
    expect(barSegments(0.75, 0.5, 100)).toEqual([
      { kind: 'fill', width: 50 },
      { kind: 'marker', width: 2 },
      { kind: 'fill', width: 23 },
      { kind: 'track', width: 25 },
    ]);
  });

  it('cap at 100%, show nothing filled without a quota, and always add up to the width', () => {
    expect(barSegments(1.8, null, 120)).toEqual([{ kind: 'fill', width: 120 }]);
    expect(barSegments(null, null, 70)).toEqual([{ kind: 'track', width: 70 }]);
    for (const [attainment, expected] of [
      [0, 0],
      [0.5, 0.5],
      [0.51, 0.5],
      [1, 1],
      [0.3, 0.999],
      [-0.2, 0.1],
    ] as const) {
      const segments = barSegments(attainment, expected, 70);
      expect(total(segments)).toBe(70);
      expect(segments.every((segment) => segment.width > 0)).toBe(true);
    }
  });
});

describe('renderers', () => {
  const hostile = rep('R9', `<img src=x onerror=alert(1)> & "Co"`, {
    quota: 100,
    bookings: 50,
    attainment: 0.5,
  });

  it('escape CRM text in HTML and Slack, and leave it as is in the text part', () => {
    const sample = digest([quarter({ quota: 100, bookings: 50, attainment: 0.5 }, [hostile])]);
    const html = renderHtml(sample, 'subject', fmt);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;');
    expect(JSON.stringify(renderSlack(sample, fmt))).toContain(
      '&lt;img src=x onerror=alert(1)&gt; &amp; \\"Co\\"',
    );
    expect(renderText(sample, fmt)).toContain(`<img src=x onerror=alert(1)> & "Co" — 50% of quota`);
  });

  it('keep a Slack message within Block Kit limits however large the org', () => {
    const reps = Array.from({ length: 2_000 }, (_, i) =>
      rep(`R${i}`, `Representative number ${i} with a fairly long name`, {
        quota: 100_000,
        bookings: i * 10,
        attainment: i / 10_000,
        paceStatus: 'behind',
      }),
    );
    const message = renderSlack(
      digest([quarter({ quota: 1, bookings: 1 }, reps)], { title: 'x'.repeat(400) }),
      fmt,
    );
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const block of message.blocks) {
      if (block.type === 'header')
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
      if (block.type === 'section') {
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        expect(block.fields?.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.fields);
      }
    }
    const text = JSON.stringify(message.blocks);
    const shown = (text.match(/Representative number/g) ?? []).length;
    expect(text).toContain(`…and ${2_000 - shown} more reps: see the email digest.`);
  });
});
