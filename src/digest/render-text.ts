import { FIGURE_COLUMNS, HEADLINE_COLUMNS, paceLabel, REP_TABLE_COLUMNS } from './figures.ts';
import type { DigestFormatter } from './format.ts';
import type { Digest, DigestPeriod } from './model.ts';

/**
 * The plain-text part of the email (and what `attain digest` prints): the same content as the
 * HTML, one line per figure, readable in any client and by screen readers.
 */

const PERIOD_TITLES = { quarter: 'QUARTER TO DATE', month: 'MONTH TO DATE' } as const;

/** The email subject: whose digest, where they stand, and the data date. */
export function subjectLine(digest: Digest, fmt: DigestFormatter): string {
  const period = digest.periods[0];
  const date = fmt.date(digest.asOf);
  if (!period) return `${digest.title}: sales digest — ${date}`;
  const team = period.team;
  if (team.quota === null) {
    return `${digest.title}: ${fmt.value('money', team.bookings)} booked in ${period.label} — ${date}`;
  }
  return (
    `${digest.title}: ${fmt.value('percent', team.attainment)} of ${period.label} quota ` +
    `(${paceLabel(team.paceStatus).toLowerCase()}) — ${date}`
  );
}

/** "Sent by the weekly schedule…" and where the numbers come from; shared by every renderer. */
export function provenance(digest: Digest, fmt: DigestFormatter): string {
  const parts = [`Numbers from rep_period_kpis (connection ${digest.connectionId}, as of ${digest.asOf}).`];
  if (digest.slot) {
    parts.push(
      `Schedule “${digest.slot.schedule}”, slot ${fmt.dateTime(digest.slot.slot, digest.slot.timezone)}.`,
    );
  }
  parts.push(
    digest.previous
      ? `Changes are against the previous digest (data as of ${fmt.date(digest.previous.asOf)}).`
      : 'No earlier digest to compare with.',
  );
  return parts.join(' ');
}

/** How far into the period we are and where a linear pace ends up (the pace KPI). */
export function paceNote(period: DigestPeriod, fmt: DigestFormatter): string {
  const team = period.team;
  const elapsed = `${fmt.value('percent', team.expectedToDate)} of the ${period.kind} gone`;
  if (team.pace === null) return elapsed;
  return `${elapsed}; at this pace, ${fmt.value('percent', team.pace)} of quota by ${period.kind} end`;
}

export function periodSummary(period: DigestPeriod, fmt: DigestFormatter): string {
  const team = period.team;
  if (team.quota === null)
    return `${fmt.value('money', team.bookings)} booked, no quota set (${paceNote(period, fmt)})`;
  return (
    `${fmt.value('percent', team.attainment)} of ${fmt.value('money', team.quota)} quota — ` +
    `${paceLabel(team.paceStatus)} (${paceNote(period, fmt)})`
  );
}

export function renderText(digest: Digest, fmt: DigestFormatter): string {
  const lines: string[] = [`${digest.title} — sales digest`, `Data as of ${fmt.date(digest.asOf)}`, ''];
  if (digest.insights.length > 0) {
    lines.push('WHAT STANDS OUT');
    for (const insight of digest.insights) lines.push(`- ${insight.text}`);
    lines.push('');
  }
  for (const period of digest.periods) {
    lines.push(`${PERIOD_TITLES[period.kind]} — ${period.label}`, periodSummary(period, fmt), '');
    lines.push(...headlineLines(period, fmt), '');
    if (period.kind === 'quarter' && digest.leaderboard.length > 0) {
      lines.push(`LEADERBOARD — ${period.label} attainment`);
      for (const entry of digest.leaderboard) {
        lines.push(
          `${String(entry.rank).padStart(2)}. ${entry.name} — ${fmt.value('percent', entry.attainment)}, ` +
            `${fmt.value('money', entry.bookings)} booked (${paceLabel(entry.paceStatus)})`,
        );
      }
      lines.push('');
    }
    lines.push(`REPS — ${period.label}`);
    for (const rep of period.reps) {
      lines.push(
        `${rep.name} — ${fmt.value('percent', rep.figures.attainment)} of quota, ${paceLabel(rep.figures.paceStatus)}`,
        '  ' +
          REP_TABLE_COLUMNS.map(
            (column) => `${column.label} ${fmt.value(column.kind, rep.figures[column.key])}`,
          ).join(' · '),
      );
    }
    if (period.reps.length === 0) lines.push('(no rep with a quota or activity)');
    lines.push('');
  }
  lines.push(provenance(digest, fmt));
  return lines.join('\n') + '\n';
}

function headlineLines(period: DigestPeriod, fmt: DigestFormatter): string[] {
  const labelWidth = Math.max(...HEADLINE_COLUMNS.map((column) => column.label.length)) + 2;
  const values = HEADLINE_COLUMNS.map((column) => fmt.value(column.kind, period.team[column.key]));
  const valueWidth = Math.max(...values.map((value) => value.length)) + 2;
  const lines = [
    period.changes
      ? `  ${''.padEnd(labelWidth)}${'now'.padEnd(valueWidth)}change since last digest`
      : '  (no earlier digest of this period to compare with)',
  ];
  HEADLINE_COLUMNS.forEach((column, index) => {
    const change = period.changes?.find((entry) => entry.key === column.key);
    const delta =
      change?.change === null || change === undefined ? '' : fmt.delta(column.kind, change.change);
    lines.push(`  ${column.label.padEnd(labelWidth)}${values[index]!.padEnd(valueWidth)}${delta}`.trimEnd());
  });
  lines.push(`  ${FIGURE_COLUMNS.quota.label.padEnd(labelWidth)}${fmt.value('money', period.team.quota)}`);
  return lines;
}
