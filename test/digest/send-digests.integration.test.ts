import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RepPeriodKpi } from '../../db/schema.ts';
import type { Config } from '../../src/config.ts';
import { createFormatter, type FigureKind } from '../../src/digest/format.ts';
import { DigestDeliveryError } from '../../src/digest/digest-delivery-error.ts';
import { sendDigests } from '../../src/digest/send-digests.ts';
import { SLACK_LIMITS, type SlackBlock } from '../../src/digest/render-slack.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { salesforceTestConfig, testStageContext } from '../support/stage-context.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';
import { AS_OF, CONNECTION, REPS, seedDigestWorld, TEAMS, TIMEZONE } from './fixture.ts';
import { startMailSink, type MailSink, type ReceivedMail } from '../support/mail-sink.ts';
import { startSlackSink, type SlackSink } from './slack-sink.ts';

const SMTP_USER = 'digest-bot';
const SMTP_PASSWORD = 'smtp-s3cret-pass-4921';
const WEBHOOK_PATH = '/services/T0001/B0001/webhookSecretToken7731';
// Mondays 08:00 in New York (EDT, UTC−4): the weekly schedule's ticks.
const MONDAY_AUG_10 = new Date('2026-08-10T12:00:00Z');
const MONDAY_AUG_17 = new Date('2026-08-17T12:00:00Z');
const fmt = createFormatter({ locale: 'en-US', currency: 'USD' });

let database: TestDatabase;
let mail: MailSink;
let slack: SlackSink;
let config: Config;
const logLines: string[] = [];
let logger: Logger;

function digestConfig(overrides: { password?: string } = {}): Config {
  return salesforceTestConfig({
    id: CONNECTION,
    org: { timezone: TIMEZONE, locale: 'en-US', currency: 'USD' },
    extra: {
      digests: {
        smtp: {
          host: '127.0.0.1',
          port: mail.port,
          user: SMTP_USER,
          password: overrides.password ?? SMTP_PASSWORD,
          from: 'attain <digests@acme.test>',
          timeoutMs: 5_000,
        },
        slack: { webhookUrl: slack.url },
        retry: { attempts: 3, minDelayMs: 5, maxDelayMs: 20 },
        schedules: [
          {
            name: 'weekly-managers',
            cron: '0 8 * * 1',
            recipients: 'managers',
            channels: ['email', 'slack'],
          },
          { name: 'weekly-org', cron: '0 8 * * 1', recipients: 'org', to: ['cro@acme.test'] },
          {
            name: 'with-unknown',
            cron: '0 8 * * 1',
            recipients: [{ manager: 'M1' }, { manager: 'ghost@acme.test' }],
          },
          {
            name: 'dana-only',
            cron: '0 8 * * 1',
            recipients: [{ manager: 'dana@acme.test', to: ['dana.lee@home.test'] }],
          },
        ],
      },
    },
  });
}

function context(options: { config?: Config } = {}) {
  return testStageContext(database.db, options.config ?? config, {
    logger,
    now: () => new Date('2026-08-20T09:00:00Z'),
  });
}

async function teamRow(scope: 'team' | 'org', repId: string, period: 'quarter' | 'month', asOf: string) {
  return database.db
    .selectFrom('rep_period_kpis')
    .selectAll()
    .where('scope', '=', scope)
    .where('rep_id', '=', repId)
    .where('period_type', '=', period)
    .where('as_of', '=', asOf)
    .executeTakeFirstOrThrow();
}

async function repRow(repId: string, asOf: string) {
  return database.db
    .selectFrom('rep_period_kpis')
    .selectAll()
    .where('scope', '=', 'rep')
    .where('rep_id', '=', repId)
    .where('period_type', '=', 'quarter')
    .where('as_of', '=', asOf)
    .executeTakeFirstOrThrow();
}

/** The headline numbers of a team row, as the digest must print them: [label, formatted value]. */
function headline(row: RepPeriodKpi): [string, string][] {
  const figures: [string, FigureKind, number | null][] = [
    ['Attainment', 'percent', row.attainment],
    ['Bookings', 'money', row.bookings],
    ['Open pipeline', 'money', row.pipeline],
    ['Pipeline coverage', 'ratio', row.pipeline_coverage],
    ['Win rate', 'percent', row.win_rate],
    ['Avg. cycle', 'days', row.avg_cycle_days],
    ['Avg. discount', 'percentPrecise', row.avg_discount],
    ['Calls', 'count', row.calls],
    ['Meetings', 'count', row.meetings],
    ['Proposals', 'count', row.proposals_submitted],
    ['Quota', 'money', row.quota],
  ];
  return figures.map(([label, kind, value]) => [label, fmt.value(kind, value)]);
}

/** The per-rep line of the text part, built from the rep's own KPI row. */
function repLine(row: RepPeriodKpi): string {
  return [
    `Bookings ${fmt.value('money', row.bookings)}`,
    `Quota ${fmt.value('money', row.quota)}`,
    `Win rate ${fmt.value('percent', row.win_rate)}`,
    `Avg. cycle ${fmt.value('days', row.avg_cycle_days)}`,
    `Avg. discount ${fmt.value('percentPrecise', row.avg_discount)}`,
    `Pipeline coverage ${fmt.value('ratio', row.pipeline_coverage)}`,
    `Calls ${row.calls}`,
    `Meetings ${row.meetings}`,
    `Proposals ${row.proposals_submitted}`,
  ].join(' · ');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll("'", '&#39;');

function mailTo(address: string): ReceivedMail[] {
  return mail.received.filter((message) => message.envelopeTo.includes(address));
}

function blocksText(blocks: SlackBlock[]): string {
  return JSON.stringify(blocks);
}

beforeAll(async () => {
  database = await createTestDatabase();
  await seedDigestWorld(database.db);
  mail = await startMailSink({ user: SMTP_USER, password: SMTP_PASSWORD });
  slack = await startSlackSink(WEBHOOK_PATH);
  logger = createLogger({
    level: 'debug',
    pretty: false,
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(chunk.toString());
        callback();
      },
    }),
  });
  config = digestConfig();
});

afterAll(async () => {
  await mail?.close();
  await slack?.close();
  await database?.drop();
});

describe('sendDigests', () => {
  it('emails and Slacks every manager their team digest, with the numbers of the KPI table', async () => {
    const run = await sendDigests(context(), {
      schedule: 'weekly-managers',
      slot: MONDAY_AUG_10,
      send: true,
    });

    expect(run.status).toBe('succeeded');
    expect(run.result.asOf).toBe(AS_OF.previous); // the latest as_of on or before Monday Aug 10
    expect(run.counts).toMatchObject({ recipients: 3, sent: 6 });
    expect(mail.received).toHaveLength(3);
    expect(slack.received).toHaveLength(3);

    const [message] = mailTo('dana@acme.test');
    expect(message).toBeDefined();
    expect(message!.envelopeTo).toEqual(['dana@acme.test']);
    expect(message!.headers.get('to')).toBe('dana@acme.test');
    expect(message!.headers.get('from')).toBe('attain <digests@acme.test>');
    const quarter = await teamRow('team', 'M1', 'quarter', AS_OF.previous);
    expect(message!.subject).toBe(
      `Dana Lee’s team: ${fmt.value('percent', quarter.attainment)} of Q3 FY2026 quota ` +
        `(${quarter.pace_status!.replace('_', ' ')}) — Aug 7, 2026`,
    );

    for (const period of ['quarter', 'month'] as const) {
      const row = await teamRow('team', 'M1', period, AS_OF.previous);
      for (const [label, value] of headline(row)) {
        expect(message!.text).toMatch(
          new RegExp(`^  ${escapeRegExp(label)}\\s+${escapeRegExp(value)}$`, 'm'),
        );
        expect(message!.html).toContain(`>${escapeHtml(value)}<`);
      }
    }
    for (const repId of TEAMS.M1!.filter((id) => id.startsWith('R'))) {
      const row = await repRow(repId, AS_OF.previous);
      const name = REPS.find((rep) => rep.rep_id === repId)!.name;
      expect(message!.text).toContain(`${name} — ${fmt.value('percent', row.attainment)} of quota`);
      expect(message!.text).toContain(repLine(row));
      expect(message!.html).toContain(`>${escapeHtml(name)}<`);
    }
    // Managers without quota or activity of their own get no rep row; the first digest has nothing to diff.
    expect(message!.text).not.toMatch(/^Dana Lee — /m);
    expect(message!.text).toContain('(no earlier digest of this period to compare with)');

    // Email-safe HTML: tables, inline styles, no external assets.
    expect(message!.html).toMatch(/^<!DOCTYPE html>/);
    expect(message!.html).not.toMatch(/<(img|link|script|style|iframe)\b|\b(src|href)=|url\(/i);
    expect(message!.headers.get('content-type')).toMatch(/^multipart\/alternative/);

    // Sam's team has Erin, whose CRM name must be escaped in HTML and Slack.
    const [sams] = mailTo('sam@acme.test');
    expect(sams!.html).toContain('Erin &lt;O&#39;Brien&gt; &amp; Co');
    expect(sams!.html).not.toContain(`<O'Brien>`);
    expect(sams!.text).toContain(`Erin <O'Brien> & Co`);

    const post = slack.received.find((entry) =>
      blocksText(entry.payload.blocks as SlackBlock[]).includes('Sam Park'),
    );
    expect(post!.path).toBe(WEBHOOK_PATH);
    const blocks = post!.payload.blocks as SlackBlock[];
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Sam Park’s team — Q3 FY2026', emoji: true },
    });
    const samQuarter = await teamRow('team', 'M2', 'quarter', AS_OF.previous);
    const fields = blocks.find((block) => block.type === 'section' && block.fields)!;
    expect(fields.type === 'section' && fields.fields!.map((field) => field.text)).toEqual(
      headline(samQuarter)
        .slice(0, 10)
        .map(([label, value]) => `*${label}*\n${value}`),
    );
    expect(blocksText(blocks)).toContain("Erin &lt;O'Brien&gt; &amp; Co");
    for (const block of blocks) {
      if (block.type === 'section')
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    }

    const rows = await database.db
      .selectFrom('digest_log')
      .selectAll()
      .where('slot', '=', MONDAY_AUG_10)
      .execute();
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect(row).toMatchObject({
        status: 'sent',
        attempts: 1,
        run_id: run.runId,
        schedule: 'weekly-managers',
      });
      expect(row.snapshot).toMatchObject({ version: 1, asOf: AS_OF.previous });
    }
    expect(rows.find((row) => row.recipient === 'M1' && row.channel === 'email')).toMatchObject({
      manager_rep_id: 'M1',
      destination: 'dana@acme.test',
      message_id: message!.headers.get('message-id'),
    });
    const runRow = await database.db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', run.runId)
      .executeTakeFirstOrThrow();
    expect(runRow).toMatchObject({ stage: 'digest', status: 'succeeded', as_of: AS_OF.previous });
  });

  it('reports what changed since the previous digest, and why, in the next slot', async () => {
    mail.received.length = 0;
    slack.received.length = 0;
    const run = await sendDigests(context(), {
      schedule: 'weekly-managers',
      slot: MONDAY_AUG_17,
      send: true,
    });
    expect(run.status).toBe('succeeded');
    expect(run.result.asOf).toBe(AS_OF.current);

    const [message] = mailTo('dana@acme.test');
    const before = await teamRow('team', 'M1', 'quarter', AS_OF.previous);
    const now = await teamRow('team', 'M1', 'quarter', AS_OF.current);
    expect(message!.text).toContain('change since last digest');
    expect(message!.text).toMatch(
      new RegExp(`^  Bookings\\s+${escapeRegExp(fmt.value('money', now.bookings))}\\s+\\+\\$30,000$`, 'm'),
    );
    expect(message!.text).toMatch(
      new RegExp(
        `^  Attainment\\s+${escapeRegExp(fmt.value('percent', now.attainment))}\\s+${escapeRegExp(
          fmt.delta('percent', now.attainment! - before.attainment!),
        )}$`,
        'm',
      ),
    );
    expect(message!.text).toMatch(/^ {2}Calls\s+96\s+\+7$/m);
    expect(message!.html).toContain('▲ +$30,000');

    // Why: the insights name the numbers behind them.
    expect(message!.text).toContain(
      'Ana Ruiz gained $30,000 in bookings since the last digest (data as of Aug 7, 2026): from $150,000 to ' +
        '$180,000 and from 63% to 75% of quota.',
    );
    expect(message!.text).toContain(
      'Ben Carter is at risk: 25% of a $240,000 quota with 49% of the quarter gone; needs $180,000 more — ' +
        '0.7× coverage of open pipeline ($120,000).',
    );
    expect(message!.text).toContain(
      'Ben Carter gives an average discount of 25% on won deals ($80,000 at list price), well above the team’s 12.6% this quarter.',
    );
    expect(message!.text).toContain(
      'Globex expansion (Ben Carter, $40,000, won Jul 20, 2026) took 160 days to close — 2.3× the team’s average cycle of 71 days.',
    );
    const [sams] = mailTo('sam@acme.test');
    expect(sams!.text).toContain(
      'Diego Alvarez lost $15,000 in bookings since the last digest (data as of Aug 7, 2026): from $135,000 to $120,000',
    );
    expect(sams!.text).toMatch(/^- The team is at risk: 31% of the \$510,000 Q3 FY2026 quota/m);
  });

  it('sends nothing on a second call for the same slot, and once when two callers race', async () => {
    const sentBefore = mail.received.length;
    const postsBefore = slack.received.length;
    const again = await sendDigests(context(), {
      schedule: 'weekly-managers',
      slot: MONDAY_AUG_17,
      send: true,
    });
    expect(again.status).toBe('succeeded');
    expect(again.counts).toMatchObject({ already_sent: 6 });
    expect(again.counts.sent).toBeUndefined();
    expect(mail.received).toHaveLength(sentBefore);
    expect(slack.received).toHaveLength(postsBefore);

    // Two schedulers firing the same tick (any instant within the slot means that slot).
    const monday24 = new Date('2026-08-24T12:00:00Z');
    const [first, second] = await Promise.all([
      sendDigests(context(), { schedule: 'weekly-managers', slot: monday24, send: true }),
      sendDigests(context(), {
        schedule: 'weekly-managers',
        slot: new Date('2026-08-24T12:00:05Z'),
        send: true,
      }),
    ]);
    expect((first.counts.sent ?? 0) + (second.counts.sent ?? 0)).toBe(6);
    expect(mail.received).toHaveLength(sentBefore + 3);
    expect(slack.received).toHaveLength(postsBefore + 3);
    const rows = await database.db
      .selectFrom('digest_log')
      .selectAll()
      .where('slot', '=', monday24)
      .execute();
    expect(rows.map((row) => row.status)).toEqual(Array(6).fill('sent'));
  });

  it('retries a failed SMTP delivery, then reports it, and a later call retries the slot', async () => {
    const slot = new Date('2026-08-31T12:00:00Z');
    // Two temporary refusals: the third attempt goes through.
    mail.failNext(2, 451, 'Temporary local problem, try again later');
    const retried = await sendDigests(context(), { schedule: 'weekly-org', slot, send: true });
    expect(retried.status).toBe('succeeded');
    expect(retried.result.outcomes).toEqual([expect.objectContaining({ status: 'sent', attempts: 3 })]);
    const [message] = mailTo('cro@acme.test').slice(-1);
    expect(message!.subject).toMatch(/^Whole organization: \d+% of Q3 FY2026 quota/);
    const org = await teamRow('org', '*', 'quarter', AS_OF.current);
    for (const [label, value] of headline(org)) {
      expect(message!.text).toMatch(new RegExp(`^  ${escapeRegExp(label)}\\s+${escapeRegExp(value)}`, 'm'));
    }

    // Refused more often than the retries allow: recorded, reported, and the run fails (nothing sent).
    const next = new Date('2026-09-07T12:00:00Z');
    mail.failNext(5, 452, `Mailbox full for ${SMTP_USER}:${SMTP_PASSWORD}`);
    const deliveries = mail.deliveries;
    const failure = await sendDigests(context(), { schedule: 'weekly-org', slot: next, send: true }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DigestDeliveryError);
    expect(mail.deliveries - deliveries).toBe(3);
    const failedRow = await database.db
      .selectFrom('digest_log')
      .selectAll()
      .where('schedule', '=', 'weekly-org')
      .where('slot', '=', next)
      .executeTakeFirstOrThrow();
    expect(failedRow).toMatchObject({ status: 'failed', attempts: 3 });
    expect(failedRow.error).toContain('452');
    expect(failedRow.error).not.toContain(SMTP_PASSWORD);
    expect(failedRow.error).toContain('[REDACTED]');
    const failedRun = await database.db
      .selectFrom('runs')
      .selectAll()
      .where('stage', '=', 'digest')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(failedRun.status).toBe('failed');
    expect(failedRun.error).toContain('no digest could be sent');
    expect(failedRun.error).toContain('452');
    expect(failedRun.error).not.toContain(SMTP_PASSWORD);

    // The server recovers; the same slot is retried and sent once.
    mail.failNext(0, 250, '');
    const recovered = await sendDigests(context(), { schedule: 'weekly-org', slot: next, send: true });
    expect(recovered.status).toBe('succeeded');
    expect(recovered.counts.sent).toBe(1);
    const sentRow = await database.db
      .selectFrom('digest_log')
      .selectAll()
      .where('id', '=', failedRow.id)
      .executeTakeFirstOrThrow();
    expect(sentRow).toMatchObject({ status: 'sent', attempts: 4, error: null, run_id: recovered.runId });
  });

  it('does not retry what cannot succeed: bad SMTP credentials, a Slack webhook that is gone', async () => {
    const slot = new Date('2026-09-14T12:00:00Z');
    const deliveries = mail.deliveries;
    slack.failNext(3, 404, 'no_service');
    const run = await sendDigests(context({ config: digestConfig({ password: 'wrong-password-123' }) }), {
      schedule: 'weekly-managers',
      slot,
      send: true,
      managers: ['M1'],
    }).catch((error: unknown) => error);
    expect(run).toBeInstanceOf(DigestDeliveryError);
    const outcomes = (run as DigestDeliveryError).outcomes;
    expect(outcomes).toEqual([
      expect.objectContaining({
        channel: 'email',
        status: 'failed',
        attempts: 1,
        error: expect.stringMatching(/535/),
      }),
      expect.objectContaining({
        channel: 'slack',
        status: 'failed',
        attempts: 1,
        error: 'SlackWebhookError: Slack webhook answered HTTP 404: no_service',
      }),
    ]);
    expect(mail.deliveries).toBe(deliveries);
    slack.failNext(0, 200, '');
  });

  it('keeps the SMTP password and the webhook URL out of logs and the send log', async () => {
    const rows = await database.db
      .selectFrom('digest_log')
      .select(['error', 'destination', 'snapshot'])
      .execute();
    const runs = await database.db.selectFrom('runs').select(['error', 'report']).execute();
    const stored = JSON.stringify([rows, runs]);
    const logs = logLines.join('');
    expect(logs).toContain('digest send attempt failed');
    for (const secret of [SMTP_PASSWORD, WEBHOOK_PATH, 'webhookSecretToken7731', 'wrong-password-123']) {
      expect(logs).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
  });

  it('takes over a claim whose sender died, but not one that is still being sent', async () => {
    const slot = new Date('2026-09-28T12:00:00Z');
    const now = context().now().getTime();
    const claimed = (recipient: string, minutesAgo: number) => ({
      connection_id: CONNECTION,
      schedule: 'weekly-managers',
      recipient,
      channel: 'email' as const,
      slot,
      status: 'sending' as const,
      claimed_at: new Date(now - minutesAgo * 60_000),
    });
    // Dana's email was claimed an hour ago by a process that crashed; Sam's is being sent right now.
    await database.db
      .insertInto('digest_log')
      .values([claimed('M1', 60), claimed('M2', 1)])
      .execute();
    const sent = mail.received.length;
    const run = await sendDigests(context(), {
      schedule: 'weekly-managers',
      slot,
      send: true,
      managers: ['M1', 'M2'],
    });
    expect(
      run.result.outcomes.map((outcome) => [outcome.recipient, outcome.channel, outcome.status]),
    ).toEqual([
      ['M1', 'email', 'sent'],
      ['M1', 'slack', 'sent'],
      ['M2', 'email', 'in_progress'],
      ['M2', 'slack', 'sent'],
    ]);
    expect(mail.received.length - sent).toBe(1);
    const rows = await database.db
      .selectFrom('digest_log')
      .select(['recipient', 'status', 'run_id'])
      .where('slot', '=', slot)
      .where('channel', '=', 'email')
      .orderBy('recipient')
      .execute();
    expect(rows).toEqual([
      { recipient: 'M1', status: 'sent', run_id: run.runId },
      { recipient: 'M2', status: 'sending', run_id: null },
    ]);
  });

  it('reports a recipient it cannot resolve instead of dropping it, and ends partial', async () => {
    const run = await sendDigests(context(), {
      schedule: 'with-unknown',
      slot: new Date('2026-09-28T12:00:00Z'),
      send: true,
    });
    expect(run.status).toBe('partial');
    expect(run.counts).toMatchObject({ sent: 1, skipped: 1 });
    expect(run.result.outcomes).toContainEqual(
      expect.objectContaining({
        recipient: 'ghost@acme.test',
        status: 'skipped',
        error: 'no rep with this id or email',
      }),
    );
    const runRow = await database.db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', run.runId)
      .executeTakeFirstOrThrow();
    expect(runRow.status).toBe('partial');
    expect(JSON.stringify(runRow.report)).toContain('ghost@acme.test');
  });

  it('renders without sending in a dry run, for the managers asked for', async () => {
    const slot = new Date('2026-09-21T12:00:00Z');
    const run = await sendDigests(context(), {
      schedule: 'dana-only',
      slot,
      send: false,
    });
    expect(run.result.previews.map((preview) => preview.recipient)).toEqual(['M1']);
    expect(run.result.outcomes).toEqual([expect.objectContaining({ recipient: 'M1', status: 'rendered' })]);
    expect(run.result.previews[0]!.email.subject).toMatch(/^Dana Lee’s team: /);
    const rows = await database.db.selectFrom('digest_log').selectAll().where('slot', '=', slot).execute();
    expect(rows).toHaveLength(0);
  });
});
