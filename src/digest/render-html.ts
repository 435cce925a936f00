import type { PaceStatus } from '../../db/schema.ts';
import { changeTone, HEADLINE_COLUMNS, paceLabel, REP_TABLE_COLUMNS, type ChangeTone } from './figures.ts';
import type { DigestFormatter } from './format.ts';
import type { Digest, DigestPeriod, Insight, LeaderboardEntry } from './model.ts';
import { paceNote, provenance } from './render-text.ts';

/**
 * The HTML email. Mail clients (Outlook's Word engine, Gmail's stripped <style>) only agree on
 * tables and inline styles, so this is table layout throughout, every style is inline, there is
 * no stylesheet, image, font or any other external asset, and the attainment bars are table
 * cells with pixel widths. Every piece of text that came from the CRM is escaped.
 */

const FONT = `-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif`;
const WIDTH = 880;
const INK = '#111827';
const MUTED = '#6b7280';
const RULE = '#e5e7eb';
const PAGE = '#f3f4f6';
const TRACK = '#e5e7eb';
const MARKER = '#111827';
const MARKER_WIDTH = 2;

interface Palette {
  bar: string;
  badgeText: string;
  badgeBackground: string;
}

const NO_QUOTA: Palette = { bar: '#9ca3af', badgeText: '#374151', badgeBackground: '#f3f4f6' };
const PACE_PALETTE: Record<PaceStatus, Palette> = {
  ahead: { bar: '#16a34a', badgeText: '#166534', badgeBackground: '#dcfce7' },
  on_track: { bar: '#2563eb', badgeText: '#1e40af', badgeBackground: '#dbeafe' },
  behind: { bar: '#d97706', badgeText: '#92400e', badgeBackground: '#fef3c7' },
  at_risk: { bar: '#dc2626', badgeText: '#991b1b', badgeBackground: '#fee2e2' },
};
const TONE_COLOR: Record<ChangeTone, string> = { good: '#15803d', bad: '#b91c1c', neutral: MUTED };
const INSIGHT_COLOR: Record<Insight['kind'], string> = {
  team_pace: '#d97706',
  rep_at_risk: '#dc2626',
  mover: '#2563eb',
  discount_depth: '#7c3aed',
  long_cycle: '#0891b2',
};

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const esc = escapeHtml;

export interface BarSegment {
  kind: 'fill' | 'track' | 'marker';
  width: number;
}

/**
 * An attainment bar as pixel-wide cells: filled up to attainment (capped at 100%), track after
 * it, and a thin marker where a linear pace would be today. The widths always add up to `width`.
 */
export function barSegments(attainment: number | null, expected: number | null, width: number): BarSegment[] {
  const filled = Math.round(Math.min(Math.max(attainment ?? 0, 0), 1) * width);
  const segments: BarSegment[] = [];
  const push = (kind: BarSegment['kind'], pixels: number) => {
    if (pixels > 0) segments.push({ kind, width: pixels });
  };
  if (expected === null) {
    push('fill', filled);
    push('track', width - filled);
    return segments;
  }
  const marker = Math.min(Math.max(Math.round(expected * width), 0), width - MARKER_WIDTH);
  const afterMarker = marker + MARKER_WIDTH;
  push('fill', Math.min(filled, marker));
  push('track', marker - filled);
  push('marker', MARKER_WIDTH);
  push('fill', filled - afterMarker);
  push('track', width - Math.max(filled, afterMarker));
  return segments;
}

function palette(status: PaceStatus | null): Palette {
  return status === null ? NO_QUOTA : PACE_PALETTE[status];
}

function bar(
  attainment: number | null,
  expected: number | null,
  status: PaceStatus | null,
  width: number,
  height: number,
) {
  const colors = { fill: palette(status).bar, track: TRACK, marker: MARKER };
  const cells = barSegments(attainment, expected, width)
    .map(
      (segment) =>
        `<td width="${segment.width}" height="${height}" style="width:${segment.width}px;height:${height}px;` +
        `background-color:${colors[segment.kind]};font-size:1px;line-height:1px;">&nbsp;</td>`,
    )
    .join('');
  return (
    `<table role="presentation" width="${width}" cellpadding="0" cellspacing="0" border="0" ` +
    `style="width:${width}px;border-collapse:collapse;"><tr>${cells}</tr></table>`
  );
}

function badge(status: PaceStatus | null): string {
  const colors = palette(status);
  return (
    `<span style="display:inline-block;padding:2px 8px;border-radius:10px;font-family:${FONT};font-size:11px;font-weight:600;` +
    `white-space:nowrap;color:${colors.badgeText};background-color:${colors.badgeBackground};">` +
    `${esc(paceLabel(status))}</span>`
  );
}

function sectionTitle(text: string): string {
  return (
    `<tr><td style="padding:22px 28px 8px 28px;font-family:${FONT};font-size:13px;font-weight:700;` +
    `letter-spacing:0.06em;text-transform:uppercase;color:${MUTED};">${esc(text)}</td></tr>`
  );
}

function header(digest: Digest, fmt: DigestFormatter): string {
  const kicker = digest.slot ? `Sales digest · ${digest.slot.schedule}` : 'Sales digest';
  return (
    `<tr><td style="padding:24px 28px;background-color:${INK};border-radius:8px 8px 0 0;font-family:${FONT};">` +
    `<div style="font-size:12px;letter-spacing:0.08em;text-transform:uppercase;color:#9ca3af;">${esc(kicker)}</div>` +
    `<div style="padding-top:4px;font-size:24px;font-weight:700;color:#ffffff;">${esc(digest.title)}</div>` +
    `<div style="padding-top:4px;font-size:13px;color:#d1d5db;">Quarter and month to date · data as of ` +
    `${esc(fmt.date(digest.asOf))}</div></td></tr>`
  );
}

function insights(digest: Digest): string {
  if (digest.insights.length === 0) return '';
  const rows = digest.insights
    .map(
      (insight) =>
        `<tr><td width="14" valign="top" style="padding:9px 0 9px 0;">` +
        `<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>` +
        `<td width="8" height="8" style="width:8px;height:8px;border-radius:4px;font-size:1px;line-height:1px;` +
        `background-color:${INSIGHT_COLOR[insight.kind]};">&nbsp;</td></tr></table></td>` +
        `<td style="padding:4px 0 4px 6px;font-family:${FONT};font-size:14px;line-height:1.45;color:${INK};">` +
        `${esc(insight.text)}</td></tr>`,
    )
    .join('');
  return (
    sectionTitle('What stands out') +
    `<tr><td style="padding:0 28px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" ` +
    `border="0">${rows}</table></td></tr>`
  );
}

function hero(period: DigestPeriod, fmt: DigestFormatter): string {
  const team = period.team;
  const big = team.quota === null ? fmt.value('money', team.bookings) : fmt.value('percent', team.attainment);
  const caption =
    team.quota === null
      ? 'booked, no quota set'
      : `of ${fmt.value('money', team.quota)} quota · ${fmt.value('money', team.bookings)} booked`;
  return (
    `<tr><td style="padding:4px 28px 0 28px;"><table role="presentation" width="100%" cellpadding="0" ` +
    `cellspacing="0" border="0"><tr>` +
    `<td valign="bottom" style="font-family:${FONT};color:${INK};">` +
    `<span style="font-size:34px;font-weight:700;">${esc(big)}</span> ` +
    `<span style="font-size:14px;color:${MUTED};">${esc(caption)}</span></td>` +
    `<td align="right" valign="bottom" style="padding-bottom:8px;">${badge(team.paceStatus)}</td></tr>` +
    `<tr><td colspan="2" style="padding-top:8px;">${bar(team.attainment, team.expectedToDate, team.paceStatus, WIDTH - 56, 12)}</td></tr>` +
    `<tr><td colspan="2" style="padding-top:6px;font-family:${FONT};font-size:12px;color:${MUTED};">` +
    `${esc(paceNote(period, fmt))} · the black mark is where a linear pace would be today</td></tr>` +
    `</table></td></tr>`
  );
}

function cards(period: DigestPeriod, fmt: DigestFormatter): string {
  const perRow = 5;
  const cell = (index: number) => {
    const column = HEADLINE_COLUMNS[index]!;
    const change = period.changes?.find((entry) => entry.key === column.key)?.change ?? null;
    let delta = '&nbsp;';
    if (period.changes && change !== null) {
      const arrow = change > 0 ? '▲ ' : change < 0 ? '▼ ' : '';
      delta =
        `<span style="color:${TONE_COLOR[changeTone(column, change)]};">` +
        `${arrow}${esc(change === 0 ? 'no change' : fmt.delta(column.kind, change))}</span>`;
    }
    return (
      `<td width="20%" valign="top" style="padding:10px 12px;border:1px solid ${RULE};font-family:${FONT};">` +
      `<div style="font-size:11px;text-transform:uppercase;letter-spacing:0.05em;color:${MUTED};">${esc(column.label)}</div>` +
      `<div style="padding-top:2px;font-size:19px;font-weight:700;color:${INK};white-space:nowrap;">` +
      `${esc(fmt.value(column.kind, period.team[column.key]))}</div>` +
      `<div style="padding-top:2px;font-size:12px;white-space:nowrap;">${delta}</div></td>`
    );
  };
  const rows: string[] = [];
  for (let start = 0; start < HEADLINE_COLUMNS.length; start += perRow) {
    const cells = [];
    for (let index = start; index < Math.min(start + perRow, HEADLINE_COLUMNS.length); index++)
      cells.push(cell(index));
    rows.push(`<tr>${cells.join('')}</tr>`);
  }
  const note = period.changes
    ? 'Changes are since the previous digest.'
    : 'No earlier digest of this period to compare with.';
  return (
    `<tr><td style="padding:14px 28px 0 28px;"><table role="presentation" width="100%" cellpadding="0" ` +
    `cellspacing="0" border="0" style="border-collapse:collapse;">${rows.join('')}</table>` +
    `<div style="padding-top:6px;font-family:${FONT};font-size:12px;color:${MUTED};">${note}</div></td></tr>`
  );
}

function leaderboard(entries: readonly LeaderboardEntry[], expected: number, fmt: DigestFormatter): string {
  if (entries.length === 0) return '';
  const rows = entries
    .map(
      (entry) =>
        `<tr><td width="28" style="padding:6px 0;font-family:${FONT};font-size:14px;font-weight:700;color:${MUTED};">` +
        `${entry.rank}</td>` +
        `<td width="190" style="padding:6px 8px 6px 0;font-family:${FONT};font-size:14px;color:${INK};">${esc(entry.name)}</td>` +
        `<td width="300" style="padding:6px 12px 6px 0;">${bar(entry.attainment, expected, entry.paceStatus, 300, 10)}</td>` +
        `<td width="60" align="right" style="padding:6px 12px 6px 0;font-family:${FONT};font-size:14px;font-weight:700;color:${INK};">` +
        `${esc(fmt.value('percent', entry.attainment))}</td>` +
        `<td align="right" style="padding:6px 12px 6px 0;font-family:${FONT};font-size:13px;color:${MUTED};">` +
        `${esc(fmt.value('money', entry.bookings))}</td>` +
        `<td align="right" style="padding:6px 0;">${badge(entry.paceStatus)}</td></tr>`,
    )
    .join('');
  return (
    `<tr><td style="padding:0 28px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" ` +
    `border="0">${rows}</table></td></tr>`
  );
}

function repTable(period: DigestPeriod, totalLabel: string, fmt: DigestFormatter): string {
  const th = (text: string, align: 'left' | 'right') =>
    `<th align="${align}" style="padding:6px 4px;border-bottom:2px solid ${RULE};font-family:${FONT};font-size:11px;` +
    `font-weight:700;text-transform:uppercase;color:${MUTED};white-space:nowrap;">${esc(text)}</th>`;
  const head =
    `<tr>${th('Rep', 'left')}${th('Attainment', 'left')}${th('Pace', 'left')}` +
    `${REP_TABLE_COLUMNS.map((column) => th(column.short, 'right')).join('')}</tr>`;
  const row = (name: string, figures: DigestPeriod['team'], emphasis: boolean) => {
    const base =
      `padding:7px 4px;border-bottom:1px solid ${RULE};font-family:${FONT};font-size:12px;color:${INK};` +
      `white-space:nowrap;${emphasis ? 'font-weight:700;background-color:#f9fafb;' : ''}`;
    return (
      `<tr><td style="${base}">${esc(name)}</td>` +
      `<td style="${base}"><table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr>` +
      `<td>${bar(figures.attainment, figures.expectedToDate, figures.paceStatus, 70, 8)}</td>` +
      `<td style="padding-left:6px;font-family:${FONT};font-size:12px;">${esc(fmt.value('percent', figures.attainment))}</td>` +
      `</tr></table></td>` +
      `<td style="${base}">${badge(figures.paceStatus)}</td>` +
      REP_TABLE_COLUMNS.map(
        (column) =>
          `<td align="right" style="${base}">${esc(fmt.value(column.kind, figures[column.key]))}</td>`,
      ).join('') +
      `</tr>`
    );
  };
  const body = [
    row(totalLabel, period.team, true),
    ...period.reps.map((rep) => row(rep.name, rep.figures, false)),
  ];
  return (
    `<tr><td style="padding:6px 28px 0 28px;"><table role="presentation" width="100%" cellpadding="0" ` +
    `cellspacing="0" border="0" style="border-collapse:collapse;">${head}${body.join('')}</table></td></tr>`
  );
}

function periodSection(digest: Digest, period: DigestPeriod, fmt: DigestFormatter): string {
  const title = `${period.kind === 'quarter' ? 'Quarter' : 'Month'} to date · ${period.label}`;
  const total = digest.audience.kind === 'team' ? 'Team total' : 'Organization total';
  const board =
    period.kind === 'quarter' && digest.leaderboard.length > 0
      ? sectionTitle(`Leaderboard · ${period.label} attainment`) +
        leaderboard(digest.leaderboard, period.team.expectedToDate, fmt)
      : '';
  return (
    sectionTitle(title) +
    hero(period, fmt) +
    cards(period, fmt) +
    board +
    sectionTitle(`Reps · ${period.label}`) +
    repTable(period, total, fmt)
  );
}

/** One digest as a self-contained card (a table); several can share one preview page. */
export function renderDigestCard(digest: Digest, fmt: DigestFormatter): string {
  return (
    `<table role="presentation" width="${WIDTH}" cellpadding="0" cellspacing="0" border="0" ` +
    `style="width:${WIDTH}px;max-width:${WIDTH}px;background-color:#ffffff;border:1px solid ${RULE};border-radius:8px;">` +
    header(digest, fmt) +
    insights(digest) +
    digest.periods.map((period) => periodSection(digest, period, fmt)).join('') +
    `<tr><td style="padding:24px 28px 24px 28px;font-family:${FONT};font-size:12px;line-height:1.5;color:${MUTED};">` +
    `${esc(provenance(digest, fmt))}</td></tr></table>`
  );
}

/** A complete HTML document around one or more digest cards. */
export function renderHtmlDocument(title: string, cards: readonly string[], locale: string): string {
  const stacked = cards
    .map((card) => `<tr><td align="center" style="padding:24px 12px;">${card}</td></tr>`)
    .join('');
  return (
    `<!DOCTYPE html>\n<html lang="${esc(locale)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light">` +
    `<title>${esc(title)}</title></head>` +
    `<body style="margin:0;padding:0;background-color:${PAGE};">` +
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" ` +
    `style="background-color:${PAGE};">${stacked}</table></body></html>\n`
  );
}

export function renderHtml(digest: Digest, title: string, fmt: DigestFormatter): string {
  return renderHtmlDocument(title, [renderDigestCard(digest, fmt)], fmt.locale);
}
