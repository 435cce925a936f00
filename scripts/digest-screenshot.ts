/**
 * Renders the digest of the seeded test team (test/digest/fixture.ts) and screenshots it with
 * headless Chromium into docs/digest-preview.png, the image the README shows.
 *
 *   node scripts/digest-screenshot.ts [--html FILE] [--out docs/digest-preview.png]
 *
 * Runs on the embedded database (PGlite, in memory): no PostgreSQL, SMTP or Slack needed. Dana
 * Lee's team digest for the Monday Aug 17, 2026 slot is rendered against a previous digest
 * (the Aug 10 slot) recorded as sent, so the "changes since the last digest" show.
 * Needs /usr/bin/chromium (Debian: apt-get install -y chromium) or CHROMIUM=path.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { parseConfig } from '../src/config.ts';
import { composeDigest, loadRecipientData } from '../src/digest/compose-digest.ts';
import { createFormatter } from '../src/digest/format.ts';
import { resolveRecipients } from '../src/digest/recipients.ts';
import { renderEmail } from '../src/digest/render-email.ts';
import { findSchedule } from '../src/digest/schedules.ts';
import { slotFor } from '../src/digest/slot.ts';
import { snapshotOf } from '../src/digest/snapshot.ts';
import { silentLogger } from '../src/logger.ts';
import type { StageContext } from '../src/stage.ts';
import { AS_OF, CONNECTION, seedDigestWorld, TIMEZONE } from '../test/digest/fixture.ts';
import { unlimited } from '../src/rate-limit.ts';

const { values } = parseArgs({
  options: {
    html: { type: 'string' },
    out: { type: 'string', default: 'docs/digest-preview.png' },
  },
});

const config = parseConfig(
  {
    org: { timezone: TIMEZONE, locale: 'en-US', currency: 'USD' },
    connections: [
      {
        id: CONNECTION,
        provider: 'salesforce',
        salesforce: { clientId: 'preview', clientSecret: 'preview-only' },
      },
    ],
    digests: {
      slack: { webhookUrl: 'http://127.0.0.1:9/preview' },
      schedules: [
        { name: 'weekly-managers', cron: '0 8 * * 1', recipients: 'managers', channels: ['slack'] },
      ],
    },
  },
  'digest-screenshot',
  {},
);

const database = await openDatabase({ dataDir: 'memory://' });
try {
  await migrateToLatest(database.db);
  await seedDigestWorld(database.db);
  const ctx: StageContext = {
    db: database.db,
    config,
    connection: config.connections[0]!,
    logger: silentLogger,
    signal: new AbortController().signal,
    trigger: 'cli',
    parentRunId: null,
    now: () => new Date('2026-08-17T12:00:00Z'),
    rateLimiter: unlimited,
  };
  const schedule = findSchedule(config, 'weekly-managers', ctx.connection);
  const { recipients } = await resolveRecipients(ctx.db, CONNECTION, schedule, ['dana@acme.test']);
  const dana = recipients[0]!;

  // The digest Dana got the Monday before, as the send log would hold it.
  const previousSlot = slotFor(schedule, new Date('2026-08-10T12:00:00Z'));
  const previous = await loadRecipientData(ctx, dana, AS_OF.previous);
  await ctx.db
    .insertInto('digest_log')
    .values({
      connection_id: CONNECTION,
      schedule: schedule.name,
      recipient: dana.key,
      channel: 'email',
      slot: previousSlot,
      status: 'sent',
      manager_rep_id: dana.key,
      snapshot: JSON.stringify(snapshotOf(previous!.asOf, previous!.periods)),
      sent_at: previousSlot,
    })
    .execute();

  const slot = { schedule: schedule.name, slot: slotFor(schedule, ctx.now()), timezone: schedule.timezone };
  const fmt = createFormatter(config.org);
  const data = await loadRecipientData(ctx, dana, AS_OF.current);
  const digest = await composeDigest(ctx, dana, data!, { slot, channel: 'email', fmt });
  const { html } = renderEmail(digest, fmt);

  const htmlFile =
    values.html ?? path.join(mkdtempSync(path.join(tmpdir(), 'attain-digest-')), 'digest.html');
  writeFileSync(htmlFile, html);
  const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
  const out = path.resolve(values.out);
  const shot = spawnSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${mkdtempSync(path.join(tmpdir(), 'attain-chromium-'))}`,
      `--screenshot=${out}`,
      '--window-size=1000,1400',
      htmlFile,
    ],
    { encoding: 'utf8' },
  );
  if (shot.status !== 0) {
    process.stderr.write(`chromium failed (${shot.status}):\n${shot.stderr}\n`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`wrote ${out} from ${htmlFile}\n`);
  }
} finally {
  await database.close();
}
