import { IANAZone } from 'luxon';
import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { registerSecret } from '../secrets.ts';

/**
 * The `digests` section of attain.config.yaml: how manager digests are sent (SMTP, Slack), how
 * failed sends are retried, what the insights treat as unusual, and the schedules.
 *
 * ```yaml
 * digests:
 *   smtp:
 *     host: smtp.example.com
 *     port: 587            # default 587
 *     secure: false        # default false; true = implicit TLS (port 465)
 *     requireTLS: true     # default false; true = refuse to send unless STARTTLS succeeds
 *     user: digests@example.com
 *     password: ${SMTP_PASSWORD}
 *     from: 'attain <digests@example.com>'
 *   slack:
 *     webhookUrl: ${SLACK_WEBHOOK_URL}
 *   schedules:
 *     - name: weekly-managers
 *       cron: '0 8 * * 1'              # node-cron syntax (5 fields, or 6 with seconds)
 *       timezone: America/New_York     # default: org.timezone
 *       recipients: managers           # managers | org | [{ manager: ID or email, to: [emails] }]
 *       channels: [email, slack]       # default [email]
 * ```
 *
 * The SMTP password and every Slack webhook URL are registered as secrets the moment the config
 * is parsed, so they are masked in every log line and stored error from then on.
 */

const timeZone = z.string().refine((value) => IANAZone.isValidZone(value), {
  message: 'not an IANA time zone (e.g. America/New_York)',
});
const webhookUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const emailAddress = z.email({ error: 'not an email address' });
const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and "-" only (it names the schedule)');

const smtpSchema = z.strictObject({
  host: z.string().min(1),
  /** 587 (submission with STARTTLS) unless told otherwise. */
  port: z.int().min(1).max(65535).default(587),
  /** true = implicit TLS from the first byte (usually port 465); false = plain, upgraded by STARTTLS. */
  secure: z.boolean().default(false),
  /** Refuse to send if the server does not offer STARTTLS (only meaningful with secure: false). */
  requireTLS: z.boolean().default(false),
  user: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  /** The From header, e.g. `attain <digests@example.com>`. */
  from: z.string().min(3),
  /** Connection, greeting and socket timeout for each SMTP conversation. */
  timeoutMs: z.int().min(100).default(30_000),
});

const retrySchema = z.strictObject({
  /** Tries per message within one call, first try included. */
  attempts: z.int().min(1).max(10).default(3),
  /** Delay before the first retry; doubles per retry up to maxDelayMs. */
  minDelayMs: z.int().min(0).default(2_000),
  maxDelayMs: z.int().min(0).default(30_000),
});

/**
 * What the insights call unusual. Defaults: a rep's discount is "well above" the team's when it is
 * at least 5 points deeper and 1.5× the team's; a won deal's cycle is "unusually long" when it is at
 * least 2× the team's average and at least 30 days.
 */
const insightsSchema = z.strictObject({
  max: z.int().min(0).max(10).default(5),
  discountAboveTeamPoints: z.number().min(0).max(1).default(0.05),
  discountAboveTeamFactor: z.number().min(1).default(1.5),
  longCycleFactor: z.number().min(1).default(2),
  longCycleMinDays: z.int().min(0).default(30),
});

const explicitRecipientSchema = z.strictObject({
  /** The manager whose team the digest covers: rep id or email, as in the reps table. */
  manager: z.string().min(1),
  /** Where to send it; default the manager's own email. */
  to: z.array(emailAddress).min(1).optional(),
});

const scheduleSchema = z.strictObject({
  name: slug,
  cron: z
    .string()
    .refine(
      (value) => isValidCron(value),
      'not a valid cron expression (node-cron syntax, e.g. "0 8 * * 1")',
    ),
  /** IANA zone the cron expression is read in; default org.timezone. */
  timezone: timeZone.optional(),
  /** Connection id; may be left out when only one connection is configured. */
  connection: z.string().min(1).optional(),
  /**
   * 'managers': every rep who has reports gets their team's digest at their own email.
   * 'org': the org total, sent to `to`. A list: the named managers' teams, to `to` or their email.
   */
  recipients: z.union([z.literal('managers'), z.literal('org'), z.array(explicitRecipientSchema).min(1)]),
  /** Addresses for recipients: org. */
  to: z.array(emailAddress).min(1).optional(),
  channels: z
    .array(z.enum(['email', 'slack']))
    .min(1)
    .default(['email']),
  /** Overrides digests.slack.webhookUrl for this schedule (e.g. one Slack channel per team). */
  slackWebhookUrl: webhookUrl.optional(),
});

const settingsObject = z
  .strictObject({
    smtp: smtpSchema.optional(),
    slack: z.strictObject({ webhookUrl }).optional(),
    retry: retrySchema.default(retrySchema.parse({})),
    /**
     * A 'sending' claim older than this is taken to belong to a crashed process and may be claimed
     * again. Longer than any send can take (retries included), short enough to recover the same day.
     */
    leaseSeconds: z.int().min(10).default(900),
    insights: insightsSchema.default(insightsSchema.parse({})),
    schedules: z.array(scheduleSchema).default([]),
  })
  .superRefine((settings, ctx) => {
    if (settings.smtp?.password !== undefined && settings.smtp.user === undefined) {
      ctx.addIssue({ code: 'custom', path: ['smtp', 'user'], message: 'required when smtp.password is set' });
    }
    const names = new Set<string>();
    settings.schedules.forEach((schedule, index) => {
      const at = (...path: (string | number)[]) => ['schedules', index, ...path];
      if (names.has(schedule.name)) {
        ctx.addIssue({
          code: 'custom',
          path: at('name'),
          message: `duplicate schedule name "${schedule.name}"`,
        });
      }
      names.add(schedule.name);
      if (new Set(schedule.channels).size !== schedule.channels.length) {
        ctx.addIssue({ code: 'custom', path: at('channels'), message: 'lists a channel twice' });
      }
      if (schedule.channels.includes('email') && settings.smtp === undefined) {
        ctx.addIssue({ code: 'custom', path: at('channels'), message: 'email needs digests.smtp' });
      }
      if (
        schedule.channels.includes('slack') &&
        schedule.slackWebhookUrl === undefined &&
        settings.slack === undefined
      ) {
        ctx.addIssue({
          code: 'custom',
          path: at('channels'),
          message: 'slack needs digests.slack.webhookUrl or this schedule’s slackWebhookUrl',
        });
      }
      if (schedule.recipients === 'org' && schedule.channels.includes('email') && schedule.to === undefined) {
        ctx.addIssue({ code: 'custom', path: at('to'), message: 'required for recipients: org by email' });
      }
      if (schedule.recipients !== 'org' && schedule.to !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: at('to'),
          message: 'only for recipients: org (give each listed manager its own "to")',
        });
      }
      if (Array.isArray(schedule.recipients)) {
        const managers = schedule.recipients.map((recipient) => recipient.manager.toLowerCase());
        if (new Set(managers).size !== managers.length) {
          ctx.addIssue({ code: 'custom', path: at('recipients'), message: 'lists a manager twice' });
        }
      }
    });
  });

const registered = settingsObject.transform((settings) => {
  registerSecret(settings.smtp?.password);
  registerSecret(settings.slack?.webhookUrl);
  for (const schedule of settings.schedules) registerSecret(schedule.slackWebhookUrl);
  return settings;
});

/** The `digests` key of the config schema; absent = no SMTP, no Slack, no schedules. */
export const digestSettingsSchema = registered.default(() => registered.parse({}));

export type DigestSettings = z.infer<typeof digestSettingsSchema>;
export type DigestSchedule = DigestSettings['schedules'][number];
export type SmtpSettings = NonNullable<DigestSettings['smtp']>;
export type RetrySettings = DigestSettings['retry'];
export type InsightSettings = DigestSettings['insights'];
export type DigestChannel = DigestSchedule['channels'][number];
