import type { PaceStatus } from '../../db/schema.ts';
import { HEADLINE_COLUMNS, paceLabel } from './figures.ts';
import type { DigestFormatter } from './format.ts';
import type { Digest, DigestPeriod } from './model.ts';
import { periodSummary, provenance, subjectLine } from './render-text.ts';

/**
 * The Slack message (Block Kit) posted to an incoming webhook. Slack rejects a message that breaks
 * its limits, so they are enforced here: at most 50 blocks, header text ≤ 150 characters, section
 * text ≤ 3000, at most 10 fields of ≤ 2000 each. Long rep lists are split over several sections
 * and cut with a note when even that would not fit.
 */

export const SLACK_LIMITS = { blocks: 50, headerText: 150, sectionText: 3000, fields: 10, fieldText: 2000 };

type Mrkdwn = { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: true } }
  | { type: 'section'; text: Mrkdwn; fields?: Mrkdwn[] }
  | { type: 'divider' }
  | { type: 'context'; elements: Mrkdwn[] };

export interface SlackMessage {
  /** Notification and fallback text. */
  text: string;
  blocks: SlackBlock[];
}

const PACE_EMOJI: Record<PaceStatus, string> = {
  ahead: ':large_green_circle:',
  on_track: ':large_blue_circle:',
  behind: ':large_orange_circle:',
  at_risk: ':red_circle:',
};

/** Slack mrkdwn treats &, < and > as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const esc = escapeMrkdwn;

function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function mrkdwn(text: string, limit: number): Mrkdwn {
  return { type: 'mrkdwn', text: truncate(text, limit) };
}

function section(text: string, fields?: string[]): SlackBlock {
  const block: SlackBlock = { type: 'section', text: mrkdwn(text, SLACK_LIMITS.sectionText) };
  if (fields && fields.length > 0) {
    block.fields = fields.slice(0, SLACK_LIMITS.fields).map((field) => mrkdwn(field, SLACK_LIMITS.fieldText));
  }
  return block;
}

function paceEmoji(status: PaceStatus | null): string {
  return status === null ? ':white_circle:' : PACE_EMOJI[status];
}

function pace(status: PaceStatus | null): string {
  return `${paceEmoji(status)} ${paceLabel(status)}`;
}

function periodBlock(period: DigestPeriod, fmt: DigestFormatter): SlackBlock {
  const title = `${period.kind === 'quarter' ? 'Quarter' : 'Month'} to date · ${period.label}`;
  const fields = HEADLINE_COLUMNS.map((column) => {
    const change = period.changes?.find((entry) => entry.key === column.key)?.change ?? null;
    const delta =
      change === null || change === 0
        ? ''
        : `  _${change > 0 ? '▲' : '▼'} ${fmt.delta(column.kind, change)}_`;
    return `*${column.label}*\n${fmt.value(column.kind, period.team[column.key])}${delta}`;
  });
  return section(
    `*${esc(title)}*  ${pace(period.team.paceStatus)}\n${esc(periodSummary(period, fmt))}`,
    fields,
  );
}

/** Rep lines packed into as few sections as the text limit allows, within `budget` blocks. */
function repBlocks(period: DigestPeriod, fmt: DigestFormatter, budget: number): SlackBlock[] {
  if (budget <= 0) return [];
  const lines = period.reps.map(
    ({ name, figures }) =>
      `${paceEmoji(figures.paceStatus)} *${esc(name)}* ` +
      `${fmt.value('percent', figures.attainment)} · ${fmt.value('money', figures.bookings)} of ` +
      `${fmt.value('money', figures.quota)} · win ${fmt.value('percent', figures.winRate)} · ` +
      `coverage ${fmt.value('ratio', figures.pipelineCoverage)}`,
  );
  let chunks: string[][] = [[`*Reps · ${esc(period.label)}*`]];
  for (const line of lines) {
    const current = chunks[chunks.length - 1]!;
    if ([...current, line].join('\n').length > SLACK_LIMITS.sectionText) chunks.push([line]);
    else current.push(line);
  }
  if (chunks.length > budget) {
    chunks = chunks.slice(0, budget);
    const last = chunks[budget - 1]!;
    last.pop(); // room for the note
    const shown = chunks.flat().length - 1; // the title line is not a rep
    last.push(`_…and ${lines.length - shown} more reps: see the email digest._`);
  }
  return chunks.map((chunk) => section(chunk.join('\n')));
}

export function renderSlack(digest: Digest, fmt: DigestFormatter): SlackMessage {
  const quarter = digest.periods.find((period) => period.kind === 'quarter') ?? digest.periods[0];
  const heading = quarter ? `${digest.title} — ${quarter.label}` : digest.title;
  const head: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(heading, SLACK_LIMITS.headerText), emoji: true },
    },
    {
      type: 'context',
      elements: [mrkdwn(esc(`Sales digest · data as of ${fmt.date(digest.asOf)}`), SLACK_LIMITS.fieldText)],
    },
    ...digest.periods.map((period) => periodBlock(period, fmt)),
    { type: 'divider' },
  ];
  if (digest.insights.length > 0) {
    head.push(
      section(
        ['*What stands out*', ...digest.insights.map((insight) => `• ${esc(insight.text)}`)].join('\n'),
      ),
    );
  }
  if (quarter && digest.leaderboard.length > 0) {
    head.push(
      section(
        [
          `*Leaderboard · ${esc(quarter.label)}*`,
          ...digest.leaderboard.map(
            (entry) =>
              `${entry.rank}. *${esc(entry.name)}* ${fmt.value('percent', entry.attainment)} · ` +
              `${fmt.value('money', entry.bookings)} · ${pace(entry.paceStatus)}`,
          ),
        ].join('\n'),
      ),
    );
  }
  const footer: SlackBlock = {
    type: 'context',
    elements: [mrkdwn(esc(provenance(digest, fmt)), SLACK_LIMITS.fieldText)],
  };
  const reps =
    quarter && quarter.reps.length > 0 ? repBlocks(quarter, fmt, SLACK_LIMITS.blocks - head.length - 1) : [];
  return { text: subjectLine(digest, fmt), blocks: [...head, ...reps, footer] };
}
